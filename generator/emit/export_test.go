package emit

// SettledDoc is settledDoc, for FuzzSettledDoc.
var SettledDoc = settledDoc
