// Package reflection asks a running gRPC server what it serves, through
// gRPC server reflection, and returns it as the plain values that
// registry.Compare compares with registrations. The registration command's
// validate --server is built on it.
//
// It speaks grpc.reflection.v1 and, with a server that does not implement
// it, the older grpc.reflection.v1alpha, as grpcurl does: grpc-go's
// reflection.Register serves both, but servers built on older releases, or
// on other languages' libraries, may serve v1alpha alone.
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
	rpbalpha "google.golang.org/grpc/reflection/grpc_reflection_v1alpha"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/registry"
)

// The versions of gRPC server reflection, by package, in the order Served
// tries them; each serves the service ServerReflection.
const (
	V1      = "grpc.reflection.v1"
	V1Alpha = "grpc.reflection.v1alpha"
)

// Result is what a server told through server reflection.
type Result struct {
	// Protocol is the version of server reflection that answered: V1, or
	// V1Alpha when the server does not implement V1.
	Protocol string
	// Services are the services the server serves, sorted by name.
	Services []registry.ServedService
}

// Served asks the server on conn what it serves. Services named in
// describe that the server serves come with their methods: streaming
// shapes and request and response types, from the descriptors the server
// sends. The others come with their names only, which saves asking for
// descriptors that nobody compares.
//
// It asks through grpc.reflection.v1 and, when the server answers that it
// does not implement it, through grpc.reflection.v1alpha. An error says
// what failed: the server could not be reached, implements neither
// version, or answered with an error or with descriptors that do not
// declare a service it lists. ctx bounds the whole exchange.
func Served(ctx context.Context, conn grpc.ClientConnInterface, describe []string) (*Result, error) {
	x, protocol, resp, err := listServices(ctx, conn)
	if err != nil {
		return nil, err
	}
	defer x.close()
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
			resp, err := x.ask(&rpb.ServerReflectionRequest{MessageRequest: &rpb.ServerReflectionRequest_FileContainingSymbol{FileContainingSymbol: name}})
			if err != nil {
				return nil, explain(err)
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
	return &Result{Protocol: protocol, Services: out}, nil
}

// listServices asks for the list of services through the first version of
// server reflection that the server implements, and returns the stream
// that answered, for the questions that follow, with its version.
func listServices(ctx context.Context, conn grpc.ClientConnInterface) (*exchange, string, *rpb.ServerReflectionResponse, error) {
	list := &rpb.ServerReflectionRequest{MessageRequest: &rpb.ServerReflectionRequest_ListServices{}}
	var unimplemented error
	for _, protocol := range []string{V1, V1Alpha} {
		x, err := open(ctx, conn, protocol)
		if err != nil {
			return nil, "", nil, explain(err)
		}
		resp, err := x.ask(list)
		if err != nil {
			x.close()
			if status.Code(err) == codes.Unimplemented {
				unimplemented = err
				continue
			}
			return nil, "", nil, explain(err)
		}
		return x, protocol, resp, nil
	}
	return nil, "", nil, fmt.Errorf("the server does not offer gRPC server reflection: it implements neither %s.ServerReflection nor %s.ServerReflection: %w",
		V1, V1Alpha, unimplemented)
}

// exchange is one ServerReflectionInfo stream, of either version, spoken
// in v1's messages.
type exchange struct {
	send   func(*rpb.ServerReflectionRequest) error
	recv   func() (*rpb.ServerReflectionResponse, error)
	cancel context.CancelFunc
}

// open starts a ServerReflectionInfo stream of the protocol on conn.
func open(ctx context.Context, conn grpc.ClientConnInterface, protocol string) (*exchange, error) {
	ctx, cancel := context.WithCancel(ctx)
	if protocol == V1 {
		stream, err := rpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
		if err != nil {
			cancel()
			return nil, err
		}
		return &exchange{send: stream.Send, recv: stream.Recv, cancel: cancel}, nil
	}
	stream, err := rpbalpha.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
	if err != nil {
		cancel()
		return nil, err
	}
	// v1 is v1alpha under another package: the same messages, field for
	// field and number for number, so a message of one is the wire form of
	// the other's.
	return &exchange{
		send: func(req *rpb.ServerReflectionRequest) error {
			//lint:ignore SA1019 v1alpha is deprecated, and this is the fallback for servers that serve nothing else.
			alpha := &rpbalpha.ServerReflectionRequest{}
			if err := convert(req, alpha); err != nil {
				return err
			}
			return stream.Send(alpha)
		},
		recv: func() (*rpb.ServerReflectionResponse, error) {
			alpha, err := stream.Recv()
			if err != nil {
				return nil, err
			}
			resp := &rpb.ServerReflectionResponse{}
			return resp, convert(alpha, resp)
		},
		cancel: cancel,
	}, nil
}

// ask sends a request and returns the answer, or the stream's error.
func (x *exchange) ask(req *rpb.ServerReflectionRequest) (*rpb.ServerReflectionResponse, error) {
	if err := x.send(req); err != nil {
		if err == io.EOF {
			_, err = x.recv() // the stream's real error
		}
		return nil, err
	}
	return x.recv()
}

// close ends the stream.
func (x *exchange) close() { x.cancel() }

// convert copies a message into one of the other version of reflection
// through their common wire form.
func convert(from, to proto.Message) error {
	data, err := proto.Marshal(from)
	if err != nil {
		return err
	}
	return proto.Unmarshal(data, to)
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
	if status.Code(err) == codes.Unavailable {
		return fmt.Errorf("unreachable: %w", err)
	}
	return err
}
