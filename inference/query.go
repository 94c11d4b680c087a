package inference

import (
	"slices"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// queryParams returns the dotted paths of the request fields that a binding
// leaves to the query string: every field bound by neither a path variable
// nor the body, in declaration order. Maps cannot be query parameters and are
// left out. A message field stands for all of its own fields ("page" for
// "page.size", "page.token", as google/api/http.proto describes), except
// that a message with a field bound by the path is opened to list the rest
// ("book.title" when "book.name" is in the path). Listing every leaf instead
// would grow with the depth of the schema, without bound for messages that
// refer to one another.
func queryParams(md protoreflect.MessageDescriptor, bound []string) []string {
	var params []string
	var walk func(md protoreflect.MessageDescriptor, prefix string)
	walk = func(md protoreflect.MessageDescriptor, prefix string) {
		fields := md.Fields()
		for i := range fields.Len() {
			f := fields.Get(i)
			path := prefix + string(f.Name())
			switch {
			case f.IsMap() || slices.Contains(bound, path):
			case f.Message() != nil && !f.IsList() && boundBelow(bound, path):
				walk(f.Message(), path+".")
			case f.Message() != nil && f.IsList() && !pathScalarMessages[f.Message().FullName()]:
				// Repeated messages cannot be query parameters.
			default:
				params = append(params, path)
			}
		}
	}
	walk(md, "")
	return params
}

// boundBelow reports whether some bound path lies inside the field at path.
func boundBelow(bound []string, path string) bool {
	for _, b := range bound {
		if strings.HasPrefix(b, path+".") {
			return true
		}
	}
	return false
}
