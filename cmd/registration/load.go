package main

import (
	"errors"
	"fmt"

	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/load"
)

// loaded is what a read verb gets from readFiles: the registrations read by
// registration/load, merged.
type loaded struct {
	*load.Set
	// services is Set.Services under the name lint.go reads; it goes when
	// lint.go reads Services.
	services []*registration.Service
}

// findService finds a service by full name or, when it is unique, by short
// name.
func (l *loaded) findService(name string) (*registration.Service, error) {
	s, err := l.Find(name)
	if errors.Is(err, load.ErrNoService) {
		return nil, fmt.Errorf(`%v (run "registration services" to list them)`, err)
	}
	return s, err
}
