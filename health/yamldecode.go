package health

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// strictDecoder decodes a YAML node into a Go value by the yaml tags of
// its struct fields, as yaml.v3's Decode with KnownFields does, but it
// goes on after a problem and names each one by its key path and line
// ("services.library.v1.LibraryService.http.timeout"): yaml.v3 stops
// naming the key at the first level and names Go types instead.
//
// It knows the types the targets file uses: structs, maps with string
// keys, slices (a single value is a list of one), pointers (null leaves
// them nil), strings, ints, bools and time.Duration (Go syntax, "500ms").
// Aliases and merge keys (<<) are followed. A type that implements
// nodeDecoder decodes itself.
type strictDecoder struct {
	file string
	errs []error
	// failed are the key paths of the errors.
	failed []string
}

// nodeDecoder is a type that decodes itself from a node, null included.
type nodeDecoder interface {
	decodeNode(d *strictDecoder, n *yaml.Node, path string)
}

var (
	durationType    = reflect.TypeFor[time.Duration]()
	nodeDecoderType = reflect.TypeFor[nodeDecoder]()
)

// errorf records a problem of the node at path.
func (d *strictDecoder) errorf(n *yaml.Node, path, format string, args ...any) {
	d.errs = append(d.errs, fmt.Errorf("%s: line %d: %s: %s", d.file, n.Line, path, fmt.Sprintf(format, args...)))
	d.failed = append(d.failed, path)
}

// decode decodes n into v, which must be settable.
func (d *strictDecoder) decode(n *yaml.Node, path string, v reflect.Value) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if reflect.PointerTo(v.Type()).Implements(nodeDecoderType) {
		v.Addr().Interface().(nodeDecoder).decodeNode(d, n, path)
		return
	}
	if v.Kind() == reflect.Pointer {
		if isNull(n) && !v.Type().Implements(nodeDecoderType) {
			return
		}
		// A value that did not decode is left out, so that it is not
		// reported again as a wrong value; a struct that did is kept
		// for the rest of its values to be checked.
		before := len(d.errs)
		p := reflect.New(v.Type().Elem())
		d.decode(n, path, p.Elem())
		if len(d.errs) == before || p.Elem().Kind() == reflect.Struct && !v.Type().Implements(nodeDecoderType) {
			v.Set(p)
		}
		return
	}
	if isNull(n) {
		return // as yaml.v3 does: null leaves the zero value
	}
	if v.Type() == durationType {
		if n.Kind != yaml.ScalarNode {
			d.errorf(n, path, "want a duration such as 500ms or 2s, got %s", nodeKind(n))
			return
		}
		t, err := time.ParseDuration(n.Value)
		if err != nil {
			d.errorf(n, path, "%q is not a duration such as 500ms or 2s", n.Value)
			return
		}
		v.SetInt(int64(t))
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, path, v)
	case reflect.Map:
		d.decodeMap(n, path, v)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			before := len(d.errs)
			s := reflect.MakeSlice(v.Type(), 1, 1)
			d.decode(n, path, s.Index(0))
			if len(d.errs) == before {
				v.Set(s)
			}
			return
		}
		before := len(d.errs)
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.decode(item, fmt.Sprintf("%s[%d]", path, i), s.Index(i))
		}
		if len(d.errs) == before {
			v.Set(s)
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.errorf(n, path, "want a string, got %s", nodeKind(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Int:
		var i int
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&i) != nil {
			d.errorf(n, path, "want an integer, got %s", nodeKind(n))
			return
		}
		v.SetInt(int64(i))
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
			d.errorf(n, path, "want true or false, got %s", nodeKind(n))
			return
		}
		v.SetBool(b)
	default:
		panic("strictDecoder: unsupported type " + v.Type().String())
	}
}

// decodeStruct decodes a mapping into the fields of a struct by their
// yaml tags; a key that no field has is an error that lists those known.
func (d *strictDecoder) decodeStruct(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "want a mapping, got %s", nodeKind(n))
		return
	}
	fields := map[string]int{}
	var known []string
	for i := range v.NumField() {
		if tag, ok := v.Type().Field(i).Tag.Lookup("yaml"); ok {
			fields[tag] = i
			known = append(known, tag)
		}
	}
	for _, kv := range d.pairs(n, path) {
		key := kv[0].Value
		i, ok := fields[key]
		if !ok {
			d.errorf(kv[0], joinPath(path, key), "unknown key (known: %s)", strings.Join(known, ", "))
			continue
		}
		d.decode(kv[1], joinPath(path, key), v.Field(i))
	}
}

// decodeMap decodes a mapping into a map with string keys.
func (d *strictDecoder) decodeMap(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "want a mapping, got %s", nodeKind(n))
		return
	}
	m := reflect.MakeMap(v.Type())
	for _, kv := range d.pairs(n, path) {
		val := reflect.New(v.Type().Elem()).Elem()
		d.decode(kv[1], joinPath(path, kv[0].Value), val)
		m.SetMapIndex(reflect.ValueOf(kv[0].Value), val)
	}
	v.Set(m)
}

// pairs returns the key and value nodes of a mapping, those of merged
// mappings (<<) first unless the mapping has the key itself. A key given
// twice is an error, as in yaml.v3, and so is a key that is not a scalar.
func (d *strictDecoder) pairs(n *yaml.Node, path string) [][2]*yaml.Node {
	var own, merged [][2]*yaml.Node
	line := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		switch {
		case key.Kind == yaml.ScalarNode && key.ShortTag() == "!!merge":
			merged = append(merged, d.mergedPairs(val, path)...)
		case key.Kind != yaml.ScalarNode:
			d.errorf(key, path, "a key is %s, not a string", nodeKind(key))
		case line[key.Value] != 0:
			d.errorf(key, joinPath(path, key.Value), "given twice (first at line %d)", line[key.Value])
		default:
			line[key.Value] = key.Line
			own = append(own, [2]*yaml.Node{key, val})
		}
	}
	var out [][2]*yaml.Node
	for _, kv := range merged {
		if line[kv[0].Value] == 0 {
			line[kv[0].Value] = -1 // the first merged mapping with the key wins
			out = append(out, kv)
		}
	}
	return append(out, own...)
}

// mergedPairs returns the pairs of a merge key's value: a mapping, or a
// list of mappings.
func (d *strictDecoder) mergedPairs(n *yaml.Node, path string) [][2]*yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	switch n.Kind {
	case yaml.MappingNode:
		return d.pairs(n, path)
	case yaml.SequenceNode:
		var out [][2]*yaml.Node
		for _, item := range n.Content {
			out = append(out, d.mergedPairs(item, path)...)
		}
		return out
	}
	d.errorf(n, joinPath(path, "<<"), "want a mapping to merge, got %s", nodeKind(n))
	return nil
}

// isNull says whether n is null: "~", "null" or nothing.
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// nodeKind describes a node for an error message.
func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "nothing"
}

// joinPath is the key path of key under path.
func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// sortedKeys returns the keys of a map with string keys, sorted, so that
// what is built from it and the errors about it come in a stable order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
