package inference

import (
	"strings"

	"google.golang.org/genproto/googleapis/api/annotations"
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

// DefaultHost returns a service's google.api.default_host, or "".
func DefaultHost(sd protoreflect.ServiceDescriptor) string {
	h, _ := proto.GetExtension(sd.Options(), annotations.E_DefaultHost).(string)
	return h
}

// OAuthScopes returns the scopes of a service's google.api.oauth_scopes, a
// comma-separated list, in the order written.
func OAuthScopes(sd protoreflect.ServiceDescriptor) []string {
	s, _ := proto.GetExtension(sd.Options(), annotations.E_OauthScopes).(string)
	var scopes []string
	for _, scope := range strings.Split(s, ",") {
		if scope = strings.TrimSpace(scope); scope != "" {
			scopes = append(scopes, scope)
		}
	}
	return scopes
}
