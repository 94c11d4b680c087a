// Package server serves the example API over gRPC the way a real program
// would start: with the Go registrations that protoc-gen-registration
// generated (emit=go) beside protoc-gen-go and protoc-gen-go-grpc's code,
// checked against the server before it takes traffic.
//
// Only LibraryService.GetShelf does anything; every other method answers
// codes.Unimplemented. The point is the start-up sequence in Start.
package server

import (
	"context"
	"log"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	identityv1 "github.com/ovasabi/protoc-gen-registration/example/gen/go/identity/v1"
	libraryv1 "github.com/ovasabi/protoc-gen-registration/example/gen/go/library/v1"
	notifyv1 "github.com/ovasabi/protoc-gen-registration/example/gen/go/notify/v1"
	"github.com/ovasabi/protoc-gen-registration/registration/registry"
	"github.com/ovasabi/protoc-gen-registration/registration/registry/override"
)

// Register registers every service of the example API on s.
func Register(s grpc.ServiceRegistrar) {
	identityv1.RegisterUserServiceServer(s, identityv1.UnimplementedUserServiceServer{})
	identityv1.RegisterAuthServiceServer(s, identityv1.UnimplementedAuthServiceServer{})
	libraryv1.RegisterLibraryServiceServer(s, library{})
	notifyv1.RegisterNotificationServiceServer(s, notifyv1.UnimplementedNotificationServiceServer{})
}

type library struct {
	libraryv1.UnimplementedLibraryServiceServer
}

func (library) GetShelf(_ context.Context, req *libraryv1.GetShelfRequest) (*libraryv1.Shelf, error) {
	if req.GetName() == "" {
		return nil, status.Error(codes.InvalidArgument, "name is required")
	}
	return &libraryv1.Shelf{Name: req.GetName(), Theme: "fiction"}, nil
}

// Start checks what s serves against the registrations compiled into the
// program, with the override file at overridePath applied if it is valid
// (an empty path means none), and returns the registrations of what s
// serves, to serve for introspection. An invalid override is logged and
// ignored; a service served without a registration, or not as its
// registration says, is an error. Services that the program links but s
// does not serve are not.
func Start(s *grpc.Server, overridePath string, logger *log.Logger) (*registry.Registry, error) {
	reg, err := override.Bootstrap(overridePath)
	if err != nil {
		logger.Printf("registration override ignored: %v", err)
	}
	if err := reg.Validate(s); err != nil {
		return nil, err
	}
	return reg.Served(s), nil
}
