package inference

import (
	"errors"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// visibility answers which files a file can see: itself and everything it
// imports, directly or not. A file's registration may depend on those
// files only, so that it is the same whatever else the request holds and
// in whatever order: protoc on one file, buf with either strategy, or a
// shuffled request.
//
// Each file's closure is a bit set over the request's files, built once in
// dependency order; asking whether a file is visible is one bit test.
type visibility struct {
	ids     map[string]int // file path -> bit index
	closure [][]uint64     // file index -> set of visible file indexes
}

func newVisibility(files []protoreflect.FileDescriptor) *visibility {
	v := &visibility{ids: make(map[string]int, len(files)), closure: make([][]uint64, len(files))}
	for i, fd := range files {
		v.ids[fd.Path()] = i
	}
	words := (len(files) + 63) / 64
	// Closures are computed depth first from each file's imports, so the
	// order of files does not matter; done marks files already computed.
	done := make([]bool, len(files))
	var visit func(i int, fd protoreflect.FileDescriptor)
	visit = func(i int, fd protoreflect.FileDescriptor) {
		done[i] = true
		set := make([]uint64, words)
		set[i/64] |= 1 << (i % 64)
		imports := fd.Imports()
		for k := range imports.Len() {
			imp := imports.Get(k).FileDescriptor
			j, ok := v.ids[imp.Path()]
			if !ok {
				continue // a placeholder for a file the request lacks
			}
			if !done[j] {
				visit(j, imp)
			}
			for w, bitsJ := range v.closure[j] {
				set[w] |= bitsJ
			}
		}
		v.closure[i] = set
	}
	for i, fd := range files {
		if !done[i] {
			visit(i, fd)
		}
	}
	return v
}

// sees reports whether file from can see file target.
func (v *visibility) sees(from, target protoreflect.FileDescriptor) bool {
	if from.Path() == target.Path() {
		return true
	}
	i, ok := v.ids[from.Path()]
	j, ok2 := v.ids[target.Path()]
	if !ok || !ok2 {
		return false
	}
	return v.closure[i][j/64]&(1<<(j%64)) != 0
}

// scopedResolver resolves names as file from sees them: a descriptor of a
// file it does not import is not found.
type scopedResolver struct {
	r    Resolver
	v    *visibility
	from protoreflect.FileDescriptor
}

func (s scopedResolver) FindDescriptorByName(name protoreflect.FullName) (protoreflect.Descriptor, error) {
	d, err := s.r.FindDescriptorByName(name)
	if err != nil {
		return nil, err
	}
	if !s.v.sees(s.from, d.ParentFile()) {
		return nil, errNotVisible
	}
	return d, nil
}

// errNotVisible is what scopedResolver returns for a descriptor that exists
// in the request but not in the file's view.
var errNotVisible = errors.New("not imported by the file")
