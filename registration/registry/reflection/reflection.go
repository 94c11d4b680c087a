// Package reflection asks a running gRPC server what it serves, through
// gRPC server reflection (grpc.reflection.v1), and returns it as the plain
// values that registry.Compare compares with registrations. The
// registration command's validate --server is built on it.
//
// It is a package of its own so that programs that link the registry (all
// generated registration code) do not link the reflection client.
package reflection

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	rpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/registry"
)

// Served returns the services the server on conn serves, sorted by name.
// Those named in describe that the server serves come with their methods:
// streaming shapes and request and response types, from the descriptors
// the server sends. The others come with their names only, which saves
// asking for descriptors that nobody compares.
//
// An error says what failed: the server could not be reached, does not
// offer server reflection, or answered with an error or with descriptors
// that do not declare a service it lists. ctx bounds the whole exchange.
func Served(ctx context.Context, conn grpc.ClientConnInterface, describe []string) ([]registry.ServedService, error) {
	stream, err := rpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
	if err != nil {
		return nil, explain(err)
	}
	defer stream.CloseSend()
	ask := func(req *rpb.ServerReflectionRequest) (*rpb.ServerReflectionResponse, error) {
		if err := stream.Send(req); err != nil {
			if err == io.EOF {
				_, err = stream.Recv() // the stream's real error
			}
			return nil, explain(err)
		}
		resp, err := stream.Recv()
		if err != nil {
			return nil, explain(err)
		}
		return resp, nil
	}

	resp, err := ask(&rpb.ServerReflectionRequest{MessageRequest: &rpb.ServerReflectionRequest_ListServices{}})
	if err != nil {
		return nil, err
	}
	if e := resp.GetErrorResponse(); e != nil {
		return nil, fmt.Errorf("listing services: %s", e.GetErrorMessage())
	}
	var out []registry.ServedService
	for _, s := range resp.GetListServicesResponse().GetService() {
		out = append(out, registry.ServedService{Name: s.GetName()})
	}
	slices.SortFunc(out, func(a, b registry.ServedService) int { return strings.Compare(a.Name, b.Name) })

	// Files already sent on this stream are not sent again, so every
	// descriptor received is kept for the services still to describe.
	files := make(map[string]*descriptorpb.FileDescriptorProto)
	for i := range out {
		name := out[i].Name
		if !slices.Contains(describe, name) {
			continue
		}
		sd := findService(files, name)
		if sd == nil {
			resp, err := ask(&rpb.ServerReflectionRequest{MessageRequest: &rpb.ServerReflectionRequest_FileContainingSymbol{FileContainingSymbol: name}})
			if err != nil {
				return nil, err
			}
			if e := resp.GetErrorResponse(); e != nil {
				return nil, fmt.Errorf("describing service %s: %s", name, e.GetErrorMessage())
			}
			for _, raw := range resp.GetFileDescriptorResponse().GetFileDescriptorProto() {
				fd := &descriptorpb.FileDescriptorProto{}
				if err := proto.Unmarshal(raw, fd); err != nil {
					return nil, fmt.Errorf("describing service %s: %v", name, err)
				}
				files[fd.GetName()] = fd
			}
			if sd = findService(files, name); sd == nil {
				return nil, fmt.Errorf("describing service %s: the server's descriptors do not declare it", name)
			}
		}
		out[i].Methods = []registry.ServedMethod{}
		for _, md := range sd.GetMethod() {
			out[i].Methods = append(out[i].Methods, registry.ServedMethod{
				Name:       md.GetName(),
				Streaming:  registration.StreamingShape(md.GetClientStreaming(), md.GetServerStreaming()),
				InputType:  strings.TrimPrefix(md.GetInputType(), "."),
				OutputType: strings.TrimPrefix(md.GetOutputType(), "."),
			})
		}
	}
	return out, nil
}

// findService looks a service up by full name in descriptors.
func findService(files map[string]*descriptorpb.FileDescriptorProto, fullName string) *descriptorpb.ServiceDescriptorProto {
	for _, fd := range files {
		prefix := ""
		if fd.GetPackage() != "" {
			prefix = fd.GetPackage() + "."
		}
		for _, sd := range fd.GetService() {
			if prefix+sd.GetName() == fullName {
				return sd
			}
		}
	}
	return nil
}

// explain says what a failed reflection call means.
func explain(err error) error {
	switch status.Code(err) {
	case codes.Unimplemented:
		return fmt.Errorf("the server does not offer gRPC server reflection (grpc.reflection.v1.ServerReflection): %w", err)
	case codes.Unavailable:
		return fmt.Errorf("unreachable: %w", err)
	}
	return err
}
