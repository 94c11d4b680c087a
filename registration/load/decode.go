package load

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/ovasabi/protoc-gen-registration/internal/excerpt"
	"github.com/ovasabi/protoc-gen-registration/registration"
)

// decode builds the model from the plain value of a document the schema
// accepts, by the model's json field names, the same way for JSON and
// YAML. Building it from the value rather than decoding the bytes again
// with encoding/json halves what Check costs beyond parsing and the
// schema (encoding/json took 0.2 s of the 12.8 MB aggregate of
// googleapis, this a fifth of that). The schema leaves one thing to fail
// here: a number that is not a whole number an int holds.
func (d *document) decode() (*registration.Registration, []problem) {
	var reg registration.Registration
	var problems []problem
	setValue(d.value, reflect.ValueOf(&reg).Elem(), nil, &problems)
	if len(problems) > 0 {
		return nil, problems
	}
	return &reg, nil
}

// fieldIndexes maps a struct type of the model to its fields by json name.
var fieldIndexes sync.Map // reflect.Type → map[string]int

func fieldsOf(t reflect.Type) map[string]int {
	if f, ok := fieldIndexes.Load(t); ok {
		return f.(map[string]int)
	}
	f := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			f[name] = i
		}
	}
	fieldIndexes.Store(t, f)
	return f
}

// setValue sets out from v, noting what does not fit in problems.
func setValue(v any, out reflect.Value, path []string, problems *[]problem) {
	bad := func(format string, args ...any) {
		*problems = append(*problems, problem{path: path, msg: fmt.Sprintf(format, args...)})
	}
	t := out.Type()
	switch t.Kind() {
	case reflect.Pointer:
		if v == nil {
			return
		}
		out.Set(reflect.New(t.Elem()))
		setValue(v, out.Elem(), path, problems)
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			bad("value must be an object; got %s", display(v))
			return
		}
		fields := fieldsOf(t)
		for k, x := range m {
			i, ok := fields[k]
			if !ok {
				*problems = append(*problems, problem{path: append(path[:len(path):len(path)], k), key: true, msg: "unknown field " + excerpt.Quote(k)})
				continue
			}
			setValue(x, out.Field(i), append(path[:len(path):len(path)], k), problems)
		}
	case reflect.Slice:
		a, ok := v.([]any)
		if !ok {
			bad("value must be an array; got %s", display(v))
			return
		}
		out.Set(reflect.MakeSlice(t, len(a), len(a)))
		for i, x := range a {
			setValue(x, out.Index(i), append(path[:len(path):len(path)], strconv.Itoa(i)), problems)
		}
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			bad("value must be a string; got %s", display(v))
			return
		}
		out.SetString(s)
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			bad("value must be a boolean; got %s", display(v))
			return
		}
		out.SetBool(b)
	case reflect.Int:
		n, ok := v.(json.Number)
		i, err := strconv.ParseInt(string(n), 10, t.Bits())
		if ok && err != nil {
			// The schema's integers include 1.0 and 1e3.
			f, ferr := strconv.ParseFloat(string(n), 64)
			if ferr == nil && f == math.Trunc(f) && f >= math.MinInt64 && f < math.MaxInt64 && !out.OverflowInt(int64(f)) {
				i, err = int64(f), nil
			}
		}
		if !ok || err != nil {
			bad("value must be a whole number of at most %d bits; got %s", t.Bits(), display(v))
			return
		}
		out.SetInt(i)
	default:
		bad("the model has a field of kind %s, which load cannot set", t.Kind())
	}
}
