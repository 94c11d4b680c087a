package registration

import (
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fill sets every field reachable from v to a non-zero value, so that a
// field added to the model is covered by TestClone without a change here.
func fill(t *testing.T, v reflect.Value, depth int) {
	t.Helper()
	switch v.Kind() {
	case reflect.String:
		v.SetString("s")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int:
		v.SetInt(7)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(t, v.Elem(), depth+1)
	case reflect.Struct:
		for i := range v.NumField() {
			fill(t, v.Field(i), depth+1)
		}
	case reflect.Slice:
		// Two elements, and the second of a list of pointers nil, which
		// must stay nil.
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		fill(t, v.Index(0), depth+1)
		if v.Type().Elem().Kind() != reflect.Pointer {
			fill(t, v.Index(1), depth+1)
		}
	default:
		t.Fatalf("fill: %v is not in the model yet; teach fill and Clone about it", v.Type())
	}
}

// shared returns the path of the first pointer or slice that a and b share.
func shared(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return path
		}
		return shared(a.Elem(), b.Elem(), path)
	case reflect.Struct:
		for i := range a.NumField() {
			if p := shared(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); p != "" {
				return p
			}
		}
	case reflect.Slice:
		if a.Cap() > 0 && a.Pointer() == b.Pointer() {
			return path
		}
		for i := range a.Len() {
			if p := shared(a.Index(i), b.Index(i), path+"[]"); p != "" {
				return p
			}
		}
	}
	return ""
}

func TestClone(t *testing.T) {
	s := new(Service)
	fill(t, reflect.ValueOf(s).Elem(), 0)
	c := s.Clone()
	if diff := cmp.Diff(s, c); diff != "" {
		t.Fatalf("Clone differs (-original +clone):\n%s", diff)
	}
	if p := shared(reflect.ValueOf(s), reflect.ValueOf(c), "Service"); p != "" {
		t.Errorf("the clone shares %s with the original", p)
	}
	// Nil and empty lists keep their difference.
	empty := &Service{Name: "a.v1.A", Methods: []*Method{}}
	if got := empty.Clone(); got.Methods == nil || got.Tags != nil {
		t.Errorf("Clone of empty methods and nil tags gave %#v and %#v", got.Methods, got.Tags)
	}
	if (*Service)(nil).Clone() != nil {
		t.Error("Clone of nil is not nil")
	}
}
