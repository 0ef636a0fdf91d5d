package emit

// SetFormsOff makes Project build and format every file whole, or (false)
// write repeated declarations through forms, as it does normally.
func SetFormsOff(off bool) { formsOff = off }

// FormsFailed is how many files were built whole because splicing their
// forms failed.
func FormsFailed() int64 { return formsFailed.Load() }

// SettledDoc is settledDoc, for FuzzSettledDoc.
var SettledDoc = settledDoc
