// Package inference derives registration facts from protoreflect
// descriptors: the REST bindings of methods and the routes among them that
// conflict, method kinds and the resources they act on, and, through an
// Index of the whole request, each service's capabilities, dependencies and
// events.
//
// Every function here is pure: it reads descriptors and plain values and
// returns model values and errors. Nothing here reads files, writes output or
// knows about protogen; the plugin and the binaries do the wiring.
package inference
