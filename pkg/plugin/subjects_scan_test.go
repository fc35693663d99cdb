package plugin

import (
	"bytes"
	"strings"
	"testing"
	"testing/iotest"
)

// A name is found wherever it lies in a stream, also cut across two reads, in any case.
func TestStreamHoldsFindsANameAcrossReads(t *testing.T) {
	names := [][]byte{[]byte("alice@example.com")}
	for _, at := range []int{0, 256<<10 - 5, 256 << 10, 1 << 20} {
		text := strings.Repeat("x", at) + "ALICE@example.com" + strings.Repeat("y", 1000)
		got, err := streamHolds(iotest.HalfReader(strings.NewReader(text)), names)
		if err != nil || !got {
			t.Fatalf("at %d: %v %v", at, got, err)
		}
	}
	if got, _ := streamHolds(bytes.NewReader(bytes.Repeat([]byte("alice@example.co "), 100000)), names); got {
		t.Fatal("found a name that is not there")
	}
}
