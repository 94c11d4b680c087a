package etcd

import (
	"bytes"
	"os"
	"testing"
)

// TestDocumentBytes checks that a stored document is encoded as the
// plugin encodes its files: decoding one of the example's files and
// encoding it again gives the same bytes.
func TestDocumentBytes(t *testing.T) {
	const file = "../../../example/gen/aggregate/registry.registration.json"
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := unmarshalDocument(file, want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := marshalDocument(doc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		t.Fatalf("%s encoded again differs at byte %d: %q, want %q", file, i, got[i:min(i+80, len(got))], want[i:min(i+80, len(want))])
	}
}
