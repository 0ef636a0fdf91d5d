package golden

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// TestReport runs the real mcpgen on each project in report/*.txtar and
// compares its stdout, where the generation report is printed, with the
// archive's "stdout" file; "args" are mcpgen's arguments. -update rewrites
// "stdout".
func TestReport(t *testing.T) {
	archives, err := filepath.Glob("report/*.txtar")
	if err != nil || len(archives) == 0 {
		t.Fatalf("no report cases (%v)", err)
	}
	for _, a := range archives {
		t.Run(strings.TrimSuffix(filepath.Base(a), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(a)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			var args, want []byte
			for _, f := range ar.Files {
				switch f.Name {
				case "args":
					args = bytes.TrimSpace(f.Data)
				case "stdout":
					want = f.Data
				default:
					if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			cmd := exec.Command(mcpgenBinary, strings.Fields(string(args))...)
			cmd.Dir = dir
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("mcpgen %s: %v\n%s", args, err, stderr.Bytes())
			}
			if *update {
				for i := range ar.Files {
					if ar.Files[i].Name == "stdout" {
						ar.Files[i].Data = stdout.Bytes()
					}
				}
				if err := os.WriteFile(a, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if stdout.String() != string(want) {
				t.Errorf("stdout:\n%s\nwant:\n%s", stdout.Bytes(), want)
			}
		})
	}
}
