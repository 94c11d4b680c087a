package inference

import (
	"slices"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// queryParams returns the dotted paths of the request fields that a binding
// leaves to the query string: every field bound by neither a path variable
// nor the body, in declaration order. As google/api/http.proto describes, a
// singular message field contributes one parameter per field of its own
// ("book.title"); maps and repeated messages cannot be query parameters, and
// a message that contains itself is not expanded again.
func queryParams(md protoreflect.MessageDescriptor, bound []string) []string {
	var params []string
	var walk func(md protoreflect.MessageDescriptor, prefix string, stack []protoreflect.FullName)
	walk = func(md protoreflect.MessageDescriptor, prefix string, stack []protoreflect.FullName) {
		fields := md.Fields()
		for i := range fields.Len() {
			f := fields.Get(i)
			path := prefix + string(f.Name())
			if f.IsMap() || slices.Contains(bound, path) {
				continue
			}
			sub := f.Message()
			if sub == nil || pathScalarMessages[sub.FullName()] {
				params = append(params, path)
				continue
			}
			if f.IsList() || slices.Contains(stack, sub.FullName()) {
				continue
			}
			walk(sub, path+".", append(stack, sub.FullName()))
		}
	}
	walk(md, "", []protoreflect.FullName{md.FullName()})
	return params
}
