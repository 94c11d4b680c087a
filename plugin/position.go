package plugin

import (
	"cmp"
	"fmt"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
)

// Source paths follow the field numbers of descriptor.proto.
const (
	fileServiceField           = 6 // FileDescriptorProto.service
	serviceMethodField         = 2 // ServiceDescriptorProto.method
	serviceOptionsField        = 3 // ServiceDescriptorProto.options
	methodOptionsField         = 4 // MethodDescriptorProto.options
	httpExtensionField         = 72295728
	registrationExtensionField = 58420 // registration.v1.service and .method
)

// serviceOptionPath is the source path, relative to a service, of its
// registration.v1.service option.
var serviceOptionPath = []int32{serviceOptionsField, registrationExtensionField}

// servicePos is methodPos for a service and a path below it.
func servicePos(sd protoreflect.ServiceDescriptor, sub []int32) pos {
	return sourcePos(sd.ParentFile(), []int32{fileServiceField, int32(sd.Index())}, sub)
}

// httpOptionPath is the source path, relative to a method, of its
// google.api.http option.
var httpOptionPath = []int32{methodOptionsField, httpExtensionField}

// pos is a place in a file. Line and column count from one, as compilers
// print them, and are zero when unknown.
type pos struct {
	file      string
	line, col int
}

func (p pos) String() string {
	if p.line == 0 {
		return p.file
	}
	return fmt.Sprintf("%s:%d:%d", p.file, p.line, p.col)
}

// compare orders positions by file, then line, then column.
func (p pos) compare(q pos) int {
	return cmp.Or(strings.Compare(p.file, q.file), cmp.Compare(p.line, q.line), cmp.Compare(p.col, q.col))
}

// methodPos returns the position of the element at sub below md, or of md
// itself when the source info does not record sub, or just the file when
// the request carries no source info.
func methodPos(md protoreflect.MethodDescriptor, sub []int32) pos {
	sd := md.Parent().(protoreflect.ServiceDescriptor)
	return sourcePos(md.ParentFile(), []int32{fileServiceField, int32(sd.Index()), serviceMethodField, int32(md.Index())}, sub)
}

// sourcePos returns the position of the element at base+sub, or of base
// when the source info does not record sub, or just the file.
func sourcePos(fd protoreflect.FileDescriptor, base, sub []int32) pos {
	locs := fd.SourceLocations()
	loc := locs.ByPath(append(base, sub...))
	if loc.Path == nil {
		loc = locs.ByPath(base)
	}
	if loc.Path == nil {
		return pos{file: fd.Path()}
	}
	return pos{file: fd.Path(), line: loc.StartLine + 1, col: loc.StartColumn + 1}
}

// comments holds the leading comments of a file's services and methods,
// and where each starts.
type comments struct {
	services []string
	methods  [][]string
	// servicePos and methodPos are the 1-based line and column where each
	// service and method starts ("service", "rpc"), where protoc and buf
	// agree; zero without source info.
	servicePos [][2]int
	methodPos  [][][2]int
}

// leadingComments collects the leading comments and start positions of
// services and methods in one pass over the file's source code info. It
// reads the SourceCodeInfo of the FileDescriptorProto rather than
// protoreflect's SourceLocations, whose first use builds an index of every
// location: most are not wanted, and on large requests that index costs
// more than the rest of the inference.
func leadingComments(fd protoreflect.FileDescriptor, info *descriptorpb.SourceCodeInfo) comments {
	services := fd.Services()
	n := services.Len()
	c := comments{services: make([]string, n), methods: make([][]string, n), servicePos: make([][2]int, n), methodPos: make([][][2]int, n)}
	for i := range n {
		m := services.Get(i).Methods().Len()
		c.methods[i] = make([]string, m)
		c.methodPos[i] = make([][2]int, m)
	}
	for _, loc := range info.GetLocation() {
		p := loc.GetPath()
		if len(p) < 2 || p[0] != fileServiceField || int(p[1]) >= n {
			continue
		}
		var start [2]int
		if span := loc.GetSpan(); len(span) >= 2 {
			start = [2]int{int(span[0]) + 1, int(span[1]) + 1}
		}
		switch {
		case len(p) == 2:
			c.servicePos[p[1]] = start
			if loc.LeadingComments != nil {
				c.services[p[1]] = cleanComment(loc.GetLeadingComments())
			}
		case len(p) == 4 && p[2] == serviceMethodField && int(p[3]) < len(c.methods[p[1]]):
			c.methodPos[p[1]][p[3]] = start
			if loc.LeadingComments != nil {
				c.methods[p[1]][p[3]] = cleanComment(loc.GetLeadingComments())
			}
		}
	}
	return c
}

func (c comments) service(i int) string   { return c.services[i] }
func (c comments) method(i, j int) string { return c.methods[i][j] }

// cleanComment removes the one space that follows "//" on each line and the
// trailing newline, keeping any further indentation.
func cleanComment(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(strings.TrimPrefix(l, " "), " \t")
	}
	return strings.Join(lines, "\n")
}
