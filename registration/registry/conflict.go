package registry

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// ErrConflict is what a *ConflictError is, for errors.Is.
var ErrConflict = errors.New("registry: registration conflict")

// ErrStale is what a *StaleError is, for errors.Is.
var ErrStale = errors.New("registry: stale registration")

// ConflictError is a second registration of a service already registered.
// The registry keeps the first.
type ConflictError struct {
	// Previous is the registration kept, Current the one refused.
	Previous, Current *Registered
}

// Error names the service and both Go packages.
func (e *ConflictError) Error() string {
	return fmt.Sprintf("registry: registration conflict: service %s is registered twice\n\tprevious: %s (%s)\n\tcurrent:  %s (%s)\n"+
		"Every service must be generated into one Go package only; a program that links two copies of the same protos cannot tell them apart",
		e.Current.name, orUnknown(e.Previous.goImportPath), e.Previous.service().File, orUnknown(e.Current.goImportPath), e.Current.service().File)
}

// Is reports whether target is ErrConflict.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// StaleError is a generated registration whose linked descriptor, from
// protoc-gen-go's output, has other methods than the descriptor it was
// generated from: the .pb.go file was regenerated and the .registration.go
// file was not.
type StaleError struct {
	Service      string
	GoImportPath string
	// Generated are the method names the registration was generated
	// from, Linked those of the linked descriptor, nil when the linked
	// file has no such service.
	Generated, Linked []string
}

// Error names the service, its package and both lists of methods.
func (e *StaleError) Error() string {
	linked := "has no such service"
	if e.Linked != nil {
		linked = "has methods [" + strings.Join(e.Linked, " ") + "]"
	}
	return fmt.Sprintf("registry: stale registration: %s in %s was generated for methods [%s], but the linked descriptor %s; generate the package's .registration.go files again with its .pb.go files",
		e.Service, orUnknown(e.GoImportPath), strings.Join(e.Generated, " "), linked)
}

// Is reports whether target is ErrStale.
func (e *StaleError) Is(target error) bool { return target == ErrStale }

// ConflictPolicyEnv is the environment variable that sets the conflict
// policy of generated code: protobuf-go's, with its values, so that one
// setting covers both registries.
const ConflictPolicyEnv = "GOLANG_PROTOBUF_REGISTRATION_CONFLICT"

// conflictPolicy is the policy when ConflictPolicyEnv is not set. As
// protobuf-go's, it can be set when linking:
//
//	go build -ldflags "-X github.com/ovasabi/protoc-gen-registration/registration/registry.conflictPolicy=warn"
var conflictPolicy = "panic"

// warnings is where the "warn" policy writes; tests replace it.
var warnings io.Writer = os.Stderr

// RegisterGenerated registers regs into r as generated code does from its
// init function. A conflict (ErrConflict) or a stale registration
// (ErrStale) follows the conflict policy, protobuf-go's, read from
// ConflictPolicyEnv each time:
//
//   - "panic" (the default): panic with the error, as protobuf-go does
//     for conflicting descriptors;
//   - "warn": write the error to standard error and go on;
//   - "ignore": go on.
//
// Going on keeps the first of two registrations of a service, and
// registers a stale registration as it is (Validate then compares it with
// what the server serves). Any other value panics, naming it. An invalid
// registration, which generated code never makes, panics whatever the
// policy.
func (r *Registry) RegisterGenerated(regs ...*Registered) {
	for _, reg := range regs {
		err := r.register(reg, true)
		if err == nil {
			continue
		}
		if !errors.Is(err, ErrConflict) && !errors.Is(err, ErrStale) {
			panic(err)
		}
		policy := conflictPolicy
		if v := os.Getenv(ConflictPolicyEnv); v != "" {
			policy = v
		}
		switch policy {
		case "panic":
			panic(err)
		case "warn":
			fmt.Fprintf(warnings, "WARNING: %v\n\n", err)
		case "ignore":
		default:
			panic(fmt.Sprintf("invalid %s value %q: %v", ConflictPolicyEnv, policy, err))
		}
	}
}

// RegisterGenerated registers regs into Default; generated code calls it
// from its init function. See Registry.RegisterGenerated.
func RegisterGenerated(regs ...*Registered) { Default.RegisterGenerated(regs...) }
