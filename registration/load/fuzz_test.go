package load

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ovasabi/protoc-gen-registration/registration/codec"
)

// FuzzBytes: no input makes Bytes panic; what it refuses it refuses with
// an *Error that names the file and says something; what it accepts
// encodes, JSON and YAML, into documents that it accepts again and that
// decode to the same registration. The seeds are every registration the
// project writes (the plugin's goldens, the example's output), the bad
// documents of cmd/registration and of TestBadDocuments; crashers go to
// testdata/fuzz/FuzzBytes.
func FuzzBytes(f *testing.F) {
	for _, name := range seedFiles(f) {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(baseJSON))
	f.Add([]byte(baseYAML))
	f.Add([]byte(""))
	f.Add([]byte("{\"format\": \"registration.v1\", \"files\": [], \"services\": [null]}"))
	f.Add([]byte("format: registration.v1\nfiles: []\nservices:\n  -\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		reg, err := Bytes("f", data)
		if err != nil {
			var le *Error
			if !errors.As(err, &le) || le.File != "f" || le.Msg == "" {
				t.Fatalf("error %T %q: want an *Error for file f with a message", err, err)
			}
			if reg != nil {
				t.Fatal("a registration as well as an error")
			}
			return
		}
		for _, enc := range []codec.Encoding{codec.JSON, codec.YAML} {
			out, err := codec.Append(nil, reg, enc)
			if err != nil {
				t.Fatalf("%s: encoding an accepted document: %v", enc, err)
			}
			again, err := Bytes("again"+enc.Extension(), out)
			if err != nil {
				t.Fatalf("%s: the re-encoded document is refused: %v\n%s", enc, err, out)
			}
			// Encoding leaves out empty optional lists, so nil and empty
			// are the same.
			if diff := cmp.Diff(reg, again, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("%s: re-encoded and loaded again, the registration differs (-first +again):\n%s", enc, diff)
			}
		}
	})
}

// FuzzJSONParser holds jsonParser to encoding/json: it accepts what
// json.Valid accepts, and builds the value json.Unmarshal builds (numbers
// as json.Number; of a duplicate field, the last).
func FuzzJSONParser(f *testing.F) {
	for _, s := range []string{baseJSON, `{"a": [1, -0.5e+3, true, false, null, "\u00e9\n\ud83d\ude00"]}`, `{"a" 1}`, `[1,]`, `"\x01"`, `01`, `1.`, `-`, `{"a":1}{}`, `"\ud800"`, "\"\xff\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := &jsonParser{data: data}
		v, ok := p.value()
		if ok {
			p.skipSpace()
			ok = p.pos == len(data)
		}
		if valid := json.Valid(data); ok != valid {
			t.Fatalf("jsonParser accepts: %v, json.Valid: %v", ok, valid)
		}
		if !ok {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var want any
		if err := dec.Decode(&want); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, v); diff != "" {
			t.Fatalf("(-encoding/json +jsonParser):\n%s", diff)
		}
	})
}

// FuzzSkipValue holds the parser that steps over a top-level field to
// encoding/json too: it accepts what json.Valid accepts, and builds what
// json.Unmarshal builds without that field.
func FuzzSkipValue(f *testing.F) {
	for _, s := range []string{baseJSON, `{"a": [1, {"b": "]}\"}"}], "c": 2}`, `{"c": 1, "a": "x\\"}`, `{"a": 1 2}`, `{"a": }`, `{"a": [}`, `{"a": {"b": 1]}`, `{"a": "\x01"}`, `{"a": 1, "a": 2}`, `{"a": "unterminated`, `{"a":tru}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := &jsonParser{data: data, skip: []string{"a"}}
		v, ok := p.value()
		if ok {
			p.skipSpace()
			ok = p.pos == len(data)
		}
		if valid := json.Valid(data); ok != valid {
			t.Fatalf("jsonParser skipping \"a\" accepts: %v, json.Valid: %v", ok, valid)
		}
		if !ok {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var want any
		if err := dec.Decode(&want); err != nil {
			t.Fatal(err)
		}
		if m, isObject := want.(map[string]any); isObject {
			delete(m, "a")
		}
		if diff := cmp.Diff(want, v); diff != "" {
			t.Fatalf("(-encoding/json +jsonParser):\n%s", diff)
		}
	})
}
