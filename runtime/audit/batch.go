package audit

import (
	"io"
	"sync"
	"time"
)

// How records are batched: each reaches the log at most batchDelay after
// it is made, or sooner when batchSize bytes wait.
const (
	batchDelay = 100 * time.Millisecond
	batchSize  = 64 << 10
)

// batch collects whole records and writes them to w together, so that a
// busy server makes one write(2) per batch rather than one per call: that
// system call was a measurable part of a small call's cost
// (docs/performance.md). slog hands a writer one whole record per Write,
// so a batch never splits a record, and lines stay whole in a log shared
// with other writers.
type batch struct {
	mu    sync.Mutex
	w     io.Writer
	buf   []byte
	timer *time.Timer // set while buf holds records
}

func newBatch(w io.Writer) *batch { return &batch{w: w} }

func (b *batch) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) >= batchSize {
		return len(p), b.flushLocked()
	}
	if b.timer == nil {
		b.timer = time.AfterFunc(batchDelay, func() { b.Flush() })
	}
	return len(p), nil
}

// Flush writes the records waiting.
func (b *batch) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.flushLocked()
}

func (b *batch) flushLocked() error {
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	if len(b.buf) == 0 {
		return nil
	}
	_, err := b.w.Write(b.buf)
	b.buf = b.buf[:0]
	if cap(b.buf) > 4*batchSize {
		b.buf = nil // a burst's buffer is not kept for good
	}
	return err
}
