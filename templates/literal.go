package templates

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"google.golang.org/protobuf/compiler/protogen"
)

// Literal returns v as a Go expression that evaluates to an equal value: a
// composite literal such as &registration.Service{Name: "a.v1.S", ...} for
// a pointer to a struct. Type names are written through qualify, which
// should be the QualifiedGoIdent of the file the expression goes into, so
// that imports are declared by protogen.
//
// It walks v by reflection, so that a field added to the model appears in
// generated code without a change here. Zero fields are left out; an empty
// but non-nil slice is kept, because encodings tell it from nil. Strings,
// booleans, integers, finite floats, pointers to structs, structs, slices
// and maps with ordered keys (written in key order) are supported; anything
// else, and unexported fields, is an error naming the field.
func Literal(v any, qualify func(protogen.GoIdent) string, opts LiteralOptions) (string, error) {
	return newLiteralPrinter(qualify).literal(v, opts)
}

// LiteralOptions shape what Literal writes.
type LiteralOptions struct {
	// OneLine is the depth of nesting from which literals are written on
	// one line: 0 writes the whole value on one line, 1 puts each field of
	// the outer struct on a line of its own, 2 each element of the lists in
	// those fields too. Zero or less means 0; use a large number for one
	// field or element per line throughout.
	//
	// The layout costs more than it seems: protogen formats the file with
	// go/printer, which measures every element of a multi-line list by
	// printing it, so a value at depth d is printed about d times over.
	OneLine int
	// Fields maps fields of the outer struct to expressions written in
	// place of their values, such as a variable built beforehand.
	Fields map[string]string
}

// literalPrinter writes expressions for one file. Layout is left to the
// printer that protogen runs over the whole file: it only needs line breaks
// where fields and elements go on lines of their own.
type literalPrinter struct {
	b       []byte
	qualify func(protogen.GoIdent) string
	types   map[reflect.Type]string // type names as written in the file
	opts    LiteralOptions
	depth   int // literals entered
}

func newLiteralPrinter(qualify func(protogen.GoIdent) string) *literalPrinter {
	return &literalPrinter{qualify: qualify, types: make(map[reflect.Type]string)}
}

// literal returns v as Literal does, reusing the printer's buffer and type
// names.
func (p *literalPrinter) literal(v any, opts LiteralOptions) (string, error) {
	p.b, p.opts, p.depth = p.b[:0], opts, 0
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return "nil", nil
	}
	if err := p.value(rv, false); err != nil {
		return "", err
	}
	return string(p.b), nil
}

// value writes v. elided reports a slice or map element whose type the
// enclosing literal already gives, so that "&T{...}" and "T{...}" become
// "{...}".
func (p *literalPrinter) value(v reflect.Value, elided bool) error {
	switch v.Kind() {
	case reflect.String:
		p.b = strconv.AppendQuote(p.b, v.String())
	case reflect.Bool:
		p.b = strconv.AppendBool(p.b, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		p.b = strconv.AppendInt(p.b, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		p.b = strconv.AppendUint(p.b, v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return literalErrorf("non-finite float %v", f)
		}
		p.b = strconv.AppendFloat(p.b, f, 'g', -1, v.Type().Bits())
	case reflect.Pointer:
		if v.IsNil() {
			p.b = append(p.b, "nil"...)
			return nil
		}
		if v.Elem().Kind() != reflect.Struct {
			return literalErrorf("pointer to %v: only pointers to structs have a literal", v.Elem().Type())
		}
		if !elided {
			p.b = append(p.b, '&')
		}
		return p.value(v.Elem(), elided)
	case reflect.Struct:
		return p.structValue(v, elided)
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			p.b = append(p.b, "nil"...)
			return nil
		}
		return p.list(v)
	case reflect.Map:
		if v.IsNil() {
			p.b = append(p.b, "nil"...)
			return nil
		}
		return p.mapValue(v)
	default:
		return literalErrorf("%v values are not supported", v.Type())
	}
	return nil
}

func (p *literalPrinter) structValue(v reflect.Value, elided bool) error {
	t := v.Type()
	if !elided {
		p.b = append(p.b, p.typeName(t)...)
	}
	p.b = append(p.b, "{"...)
	info := structFields(t)
	first := true
	multi := p.depth < p.opts.OneLine
	p.depth++
	for _, f := range info {
		fv := v.Field(f.index)
		if fv.IsZero() {
			continue
		}
		if !f.exported {
			return literalErrorf("unexported field %s.%s", t.Name(), f.name)
		}
		if first {
			if multi {
				p.b = append(p.b, '\n')
			}
		} else if !multi {
			p.b = append(p.b, ", "...)
		}
		first = false
		p.b = append(p.b, f.name...)
		p.b = append(p.b, ": "...)
		if expr, ok := p.opts.Fields[f.name]; ok && p.depth == 1 {
			p.b = append(p.b, expr...)
		} else if err := p.value(fv, false); err != nil {
			return within(err, f.name)
		}
		if multi {
			p.b = append(p.b, ",\n"...)
		}
	}
	p.depth--
	p.b = append(p.b, "}"...)
	return nil
}

// maxLine is the length above which a list of scalars is written one
// element per line, for readable lines.
const maxLine = 80

// list writes a slice or array. Elements that are themselves literals go one
// per line; scalars stay on one line unless it gets long.
func (p *literalPrinter) list(v reflect.Value) error {
	p.b = append(p.b, p.typeName(v.Type())...)
	p.b = append(p.b, "{"...)
	start := len(p.b)
	multiline := composite(v.Type().Elem())
	flat := p.depth >= p.opts.OneLine
	p.depth++
	defer func() { p.depth-- }()
	if !multiline || flat {
		// Write the scalars on one line, and start again one per line if
		// that line is too long.
		for i := range v.Len() {
			if i > 0 {
				p.b = append(p.b, ", "...)
			}
			if err := p.value(v.Index(i), true); err != nil {
				return within(err, "["+strconv.Itoa(i)+"]")
			}
		}
		if flat || len(p.b)-start <= maxLine {
			p.b = append(p.b, "}"...)
			return nil
		}
		p.b = p.b[:start]
		multiline = true
	}
	for i := range v.Len() {
		if i == 0 {
			p.b = append(p.b, '\n')
		}
		if err := p.value(v.Index(i), true); err != nil {
			return within(err, "["+strconv.Itoa(i)+"]")
		}
		p.b = append(p.b, ",\n"...)
	}
	p.b = append(p.b, "}"...)
	return nil
}

// mapValue writes a map in key order: map iteration order is random, and
// generated code must not depend on it.
func (p *literalPrinter) mapValue(v reflect.Value) error {
	keys := v.MapKeys()
	var cmp func(a, b reflect.Value) int
	switch v.Type().Key().Kind() {
	case reflect.String:
		cmp = func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		cmp = func(a, b reflect.Value) int { return compareOrdered(a.Int(), b.Int()) }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		cmp = func(a, b reflect.Value) int { return compareOrdered(a.Uint(), b.Uint()) }
	default:
		return literalErrorf("maps keyed by %v are not supported", v.Type().Key())
	}
	slices.SortFunc(keys, cmp)
	p.b = append(p.b, p.typeName(v.Type())...)
	p.b = append(p.b, "{"...)
	multi := p.depth < p.opts.OneLine
	p.depth++
	defer func() { p.depth-- }()
	for i, k := range keys {
		switch {
		case multi && i == 0:
			p.b = append(p.b, '\n')
		case !multi && i > 0:
			p.b = append(p.b, ", "...)
		}
		if err := p.value(k, true); err != nil {
			return within(err, "[key]")
		}
		p.b = append(p.b, ": "...)
		if err := p.value(v.MapIndex(k), true); err != nil {
			return within(err, "["+fmt.Sprint(k.Interface())+"]")
		}
		if multi {
			p.b = append(p.b, ",\n"...)
		}
	}
	p.b = append(p.b, "}"...)
	return nil
}

func compareOrdered[T int64 | uint64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// composite reports element types written as multi-line literals.
func composite(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Struct, reflect.Slice, reflect.Array, reflect.Map:
		return true
	}
	return false
}

// typeName returns t as it is spelled in the file.
func (p *literalPrinter) typeName(t reflect.Type) string {
	if name, ok := p.types[t]; ok {
		return name
	}
	var name string
	switch {
	case t.Name() != "" && t.PkgPath() == "":
		name = t.Name() // predeclared
	case t.Name() != "":
		name = p.qualify(protogen.GoIdent{GoName: t.Name(), GoImportPath: protogen.GoImportPath(t.PkgPath())})
	case t.Kind() == reflect.Pointer:
		name = "*" + p.typeName(t.Elem())
	case t.Kind() == reflect.Slice:
		name = "[]" + p.typeName(t.Elem())
	case t.Kind() == reflect.Array:
		name = "[" + strconv.Itoa(t.Len()) + "]" + p.typeName(t.Elem())
	case t.Kind() == reflect.Map:
		name = "map[" + p.typeName(t.Key()) + "]" + p.typeName(t.Elem())
	default:
		name = t.String()
	}
	p.types[t] = name
	return name
}

// literalError is a value Literal cannot write, with the path to it.
type literalError struct {
	path []string // outermost last
	msg  string
}

func (e *literalError) Error() string {
	where := "value"
	if len(e.path) > 0 {
		var b strings.Builder
		for i := len(e.path) - 1; i >= 0; i-- {
			if i < len(e.path)-1 && !strings.HasPrefix(e.path[i], "[") {
				b.WriteByte('.')
			}
			b.WriteString(e.path[i])
		}
		where = b.String()
	}
	return "Go literal of " + where + ": " + e.msg
}

func literalErrorf(format string, args ...any) error {
	return &literalError{msg: fmt.Sprintf(format, args...)}
}

// within adds the field or element an error happened in to its path. The
// path is built as the error goes up, so that writing costs nothing for it.
func within(err error, elem string) error {
	if le, ok := err.(*literalError); ok {
		le.path = append(le.path, elem)
	}
	return err
}

// field is what the printer needs about one struct field.
type field struct {
	name     string
	index    int
	exported bool
}

// fieldCache holds the fields of each struct type seen, in declaration
// order: reflect.Type.Field allocates, and the same few model types are
// walked for every service.
var fieldCache sync.Map // reflect.Type -> []field

func structFields(t reflect.Type) []field {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]field)
	}
	fields := make([]field, t.NumField())
	for i := range fields {
		sf := t.Field(i)
		fields[i] = field{name: sf.Name, index: i, exported: sf.IsExported()}
	}
	fieldCache.Store(t, fields)
	return fields
}
