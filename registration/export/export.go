// Package export writes registrations into the formats of the catalogs and
// platforms teams already run: Backstage catalog entities, Consul service
// definitions and Kubernetes probes and Service manifests.
//
// Export turns services into Documents, one or two per service, in the
// order of the services' full names, and checks everything first: a
// service that cannot be exported (no owner for Backstage, no health facts
// or address for a check or a probe, a name that no documented rule makes
// valid) is an error that names it, and no document is returned. Write
// and WriteDir then write the documents as one stream or one file each.
//
// The documents are written from small structs of this package, with the
// field names of the upstream formats: the tests decode them strictly into
// the upstream Go types (the Consul API's AgentServiceRegistration, the
// Kubernetes API's Container and Service) and run Backstage's own entity
// validators over them. docs/export.md is the manual.
package export

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// The targets Export writes.
const (
	Backstage  = "backstage"
	Consul     = "consul"
	Kubernetes = "kubernetes"
)

// Targets are the names of the targets, in the order help lists them.
var Targets = []string{Backstage, Consul, Kubernetes}

// Options say what Export writes.
type Options struct {
	// Target is Backstage, Consul or Kubernetes.
	Target string
	// ShortenNames lets names too long for the target lose leading
	// package components: see DNSLabel and EntityName.
	ShortenNames bool

	// Backstage: Owner and Lifecycle are the spec.owner and spec.lifecycle
	// of services whose registration gives none. Definition is how an API
	// entity's definition names the proto file: DefinitionText ($text) or
	// DefinitionURL ($url), with DefinitionBase joined before the file's
	// path.
	Owner, Lifecycle string
	Definition       string
	DefinitionBase   string

	// Consul and Kubernetes: Checks are the health checks of every
	// service, from Plan; Defaults fill in what a check leaves zero.
	Checks   *Checks
	Defaults CheckDefaults

	// Kubernetes: ServiceManifest adds a Service manifest per service;
	// Selector is its spec.selector, "KEY=VALUE" items, by default
	// app.kubernetes.io/name set to the Service's name.
	ServiceManifest bool
	Selector        []string
}

// Document is one file of output.
type Document struct {
	// Service is the full name of the service it describes.
	Service string
	// File is its file name under WriteDir's directory.
	File string
	// Data is the document: YAML, or JSON for Consul.
	Data []byte
}

// Export returns the documents of services for o.Target, ordered by
// service full name. Every problem of every service is returned at once,
// and then no document.
func Export(services []*registration.Service, o Options) ([]Document, error) {
	sorted := slices.Clone(services)
	slices.SortFunc(sorted, func(a, b *registration.Service) int { return strings.Compare(a.Name, b.Name) })
	switch o.Target {
	case Backstage:
		return backstageDocuments(sorted, o)
	case Consul:
		return consulDocuments(sorted, o)
	case Kubernetes:
		return kubernetesDocuments(sorted, o)
	}
	return nil, fmt.Errorf("unknown target %q: want one of %s", o.Target, strings.Join(Targets, ", "))
}

// Write writes documents to w as one YAML stream: each document after a
// "---" line. Consul's JSON documents are YAML documents too.
func Write(w io.Writer, docs []Document) error {
	var buf bytes.Buffer
	for _, d := range docs {
		buf.WriteString("---\n")
		buf.Write(d.Data)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// encodeYAML encodes values as YAML documents with two-space indents,
// after a comment line when comment is not empty.
func encodeYAML(comment string, values ...any) ([]byte, error) {
	var buf bytes.Buffer
	if comment != "" {
		fmt.Fprintf(&buf, "# %s\n", comment)
	}
	for i, v := range values {
		if i > 0 {
			buf.WriteString("---\n")
		}
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(v); err != nil {
			return nil, err
		}
		if err := enc.Close(); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// encodeJSON encodes v as indented JSON with a final newline, without
// escaping HTML characters, which Consul does not need.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// uniqueFiles checks that no two services map to one file name, which
// normalised names can do. Names are compared without case: Backstage
// takes entity names that differ only in case for one, and so do some
// file systems.
func uniqueFiles(docs []Document) error {
	seen := map[string]string{}
	var errs []string
	for _, d := range docs {
		key := strings.ToLower(d.File)
		if prev, ok := seen[key]; ok && prev != d.Service {
			errs = append(errs, fmt.Sprintf("services %s and %s both map to the name of %s", prev, d.Service, d.File))
			continue
		}
		seen[key] = d.Service
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "\n"))
	}
	return nil
}
