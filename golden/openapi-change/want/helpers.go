package main

// owner is the owner's own code.
const owner = "me"

var _ = owner
