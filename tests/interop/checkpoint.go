// Checks a SyncLedger checkpoint with Go's own implementations of C2SP signed
// notes (golang.org/x/mod/sumdb/note) and RFC 6962/9162 tree proofs
// (golang.org/x/mod/sumdb/tlog), so agreement is not just our code agreeing with
// itself.
//
// Usage: go run checkpoint.go CASE.json
//
// CASE.json: {"verifierKey", "origin", "note", "entryHash" (hex), "index",
// "inclusionProof" (base64[]), "oldSize", "oldRoot" (base64), "consistencyProof"
// (base64[])}. Exits 0 when everything checks, 1 naming the first failure.
package main

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type testCase struct {
	VerifierKey      string   `json:"verifierKey"`
	Origin           string   `json:"origin"`
	Note             string   `json:"note"`
	EntryHash        string   `json:"entryHash"`
	Index            int64    `json:"index"`
	InclusionProof   []string `json:"inclusionProof"`
	OldSize          int64    `json:"oldSize"`
	OldRoot          string   `json:"oldRoot"`
	ConsistencyProof []string `json:"consistencyProof"`
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func hashFromBase64(what, s string) tlog.Hash {
	var h tlog.Hash
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != tlog.HashSize {
		fail("%s: not a base64 SHA-256 hash: %q", what, s)
	}
	copy(h[:], b)
	return h
}

func hashes(what string, list []string) []tlog.Hash {
	out := make([]tlog.Hash, len(list))
	for i, s := range list {
		out[i] = hashFromBase64(fmt.Sprintf("%s[%d]", what, i), s)
	}
	return out
}

func main() {
	if len(os.Args) != 2 {
		fail("usage: go run checkpoint.go CASE.json")
	}
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail("reading the case: %v", err)
	}
	var c testCase
	if err := json.Unmarshal(raw, &c); err != nil {
		fail("parsing the case: %v", err)
	}

	verifier, err := note.NewVerifier(c.VerifierKey)
	if err != nil {
		fail("verifier key: %v", err)
	}
	n, err := note.Open([]byte(c.Note), note.VerifierList(verifier))
	if err != nil {
		fail("note signature: %v", err)
	}

	// C2SP tlog-checkpoint: origin, tree size, base64 root hash, then optional extension lines.
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	if len(lines) < 3 {
		fail("checkpoint: expected origin, size and root lines, got %d line(s)", len(lines))
	}
	if lines[0] != c.Origin {
		fail("checkpoint origin: got %q, want %q", lines[0], c.Origin)
	}
	if verifier.Name() != c.Origin {
		fail("checkpoint origin: the key is named %q, the log is %q", verifier.Name(), c.Origin)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 1 || strconv.FormatInt(size, 10) != lines[1] {
		fail("checkpoint tree size: %q is not a positive decimal", lines[1])
	}
	root := hashFromBase64("checkpoint root hash", lines[2])

	// Our leaves are SHA-256(0x00 || entry hash bytes): tlog.RecordHash of the 32 raw bytes.
	entry, err := hex.DecodeString(c.EntryHash)
	if err != nil || len(entry) != 32 {
		fail("entryHash: not 64 hex characters")
	}
	if err := tlog.CheckRecord(hashes("inclusionProof", c.InclusionProof), size, root, c.Index, tlog.RecordHash(entry)); err != nil {
		fail("inclusion proof of index %d in tree size %d: %v", c.Index, size, err)
	}

	if c.OldSize > 0 {
		old := hashFromBase64("oldRoot", c.OldRoot)
		if err := tlog.CheckTree(hashes("consistencyProof", c.ConsistencyProof), size, root, c.OldSize, old); err != nil {
			fail("consistency proof from size %d to %d: %v", c.OldSize, size, err)
		}
	}
	fmt.Printf("OK: %s, tree size %d, signed by %s; entry %d included; consistent with size %d\n", lines[0], size, verifier.Name(), c.Index, c.OldSize)
}
