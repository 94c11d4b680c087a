package plugin

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/proto"
)

// TestWriteResponse checks that the streamed response is byte for byte what
// proto.Marshal makes of Generate's response, for every golden case and for
// an error.
func TestWriteResponse(t *testing.T) {
	cases, err := os.ReadDir("testdata/cases")
	if err != nil {
		t.Fatal(err)
	}
	dirs := []string{"testdata/errors/bad_template"}
	for _, c := range cases {
		dirs = append(dirs, filepath.Join("testdata/cases", c.Name()))
	}
	for _, dir := range dirs {
		req := caseRequest(t, dir)
		resp, err := Generate(req, &bytes.Buffer{})
		if err != nil {
			t.Fatal(err)
		}
		want, err := proto.MarshalOptions{Deterministic: true}.Marshal(resp)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := WriteResponse(&got, req, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("%s: WriteResponse wrote %d bytes that differ from proto.Marshal's %d", dir, got.Len(), len(want))
		}
	}
}
