package inference

import (
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	registrationv1 "github.com/ovasabi/protoc-gen-registration/proto/registration/v1"
)

// ServiceOptions returns a service's registration options: an empty value
// when it has none.
func ServiceOptions(sd protoreflect.ServiceDescriptor) *registrationv1.ServiceRegistration {
	r, _ := proto.GetExtension(sd.Options(), registrationv1.E_Service).(*registrationv1.ServiceRegistration)
	return r
}

// MethodOptions returns a method's registration options: an empty value
// when it has none.
func MethodOptions(md protoreflect.MethodDescriptor) *registrationv1.MethodRegistration {
	r, _ := proto.GetExtension(md.Options(), registrationv1.E_Method).(*registrationv1.MethodRegistration)
	return r
}

// Excluded reports a method that its options leave out of the registration.
func Excluded(md protoreflect.MethodDescriptor) bool {
	return MethodOptions(md).GetExclude()
}
