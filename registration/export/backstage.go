package export

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// How an API entity's definition names the proto file: Backstage
// replaces a $text placeholder with the file's text, read relative to the
// catalog file, and a $url placeholder with what the URL serves.
const (
	DefinitionText = "text"
	DefinitionURL  = "url"
)

// Definitions are the values of Options.Definition.
var Definitions = []string{DefinitionText, DefinitionURL}

// backstageAPIVersion is the apiVersion of the entities.
const backstageAPIVersion = "backstage.io/v1alpha1"

// entity is a Backstage catalog entity of kind Component or API.
type entity struct {
	APIVersion string         `yaml:"apiVersion"`
	Kind       string         `yaml:"kind"`
	Metadata   entityMetadata `yaml:"metadata"`
	Spec       any            `yaml:"spec"`
}

type entityMetadata struct {
	Name        string   `yaml:"name"`
	Description string   `yaml:"description,omitempty"`
	Tags        []string `yaml:"tags,omitempty"`
}

type componentSpec struct {
	Type         string   `yaml:"type"`
	Lifecycle    string   `yaml:"lifecycle"`
	Owner        string   `yaml:"owner"`
	ProvidesApis []string `yaml:"providesApis"`
	ConsumesApis []string `yaml:"consumesApis,omitempty"`
	DependsOn    []string `yaml:"dependsOn,omitempty"`
}

type apiSpec struct {
	Type       string            `yaml:"type"`
	Lifecycle  string            `yaml:"lifecycle"`
	Owner      string            `yaml:"owner"`
	Definition map[string]string `yaml:"definition"`
}

func backstageDocuments(services []*registration.Service, o Options) ([]Document, error) {
	var placeholder string
	switch o.Definition {
	case DefinitionText, "":
		placeholder = "$text"
	case DefinitionURL:
		placeholder = "$url"
	default:
		return nil, fmt.Errorf("definition %q: want %s", o.Definition, strings.Join(Definitions, " or "))
	}
	var docs []Document
	var errs []error
	for _, s := range services {
		component, api, err := backstageEntities(s, o, placeholder)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		data, err := encodeYAML("", component, api)
		if err != nil {
			return nil, err
		}
		docs = append(docs, Document{Service: s.Name, File: component.Metadata.Name + ".catalog-info.yaml", Data: data})
	}
	if err := uniqueFiles(docs); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return docs, nil
}

// backstageEntities are a service's Component, which provides its API and
// consumes and depends on what the service depends on, and its API.
func backstageEntities(s *registration.Service, o Options, placeholder string) (*entity, *entity, error) {
	name, err := EntityName(s.Name, o.ShortenNames)
	if err != nil {
		return nil, nil, fmt.Errorf("service %s: %v", s.Name, err)
	}
	owner := s.Owner
	if owner == "" {
		owner = o.Owner
	}
	switch {
	case owner == "":
		return nil, nil, fmt.Errorf("service %s: no owner: the registration gives none; give --owner", s.Name)
	case !isEntityRef(owner):
		return nil, nil, fmt.Errorf("service %s: owner %q is not a Backstage entity reference ([KIND:][NAMESPACE/]NAME)", s.Name, owner)
	}
	lifecycle := o.Lifecycle
	if s.Deprecated {
		lifecycle = "deprecated"
	}
	if lifecycle == "" {
		return nil, nil, fmt.Errorf("service %s: no lifecycle: registrations give none; give --lifecycle (experimental, production or deprecated)", s.Name)
	}
	meta := entityMetadata{Name: name, Description: strings.TrimSpace(s.Description), Tags: Tags(append(append([]string(nil), s.Tags...), capabilityNames(s)...), Backstage)}

	var consumes, dependsOn []string
	seen := map[string]bool{}
	for _, d := range s.Dependencies {
		target, err := EntityName(d.Service, o.ShortenNames)
		if err != nil {
			return nil, nil, fmt.Errorf("service %s: dependency on %s: %v", s.Name, d.Service, err)
		}
		if seen[target] || target == name {
			continue
		}
		seen[target] = true
		consumes = append(consumes, "api:"+target)
		dependsOn = append(dependsOn, "component:"+target)
	}
	component := &entity{
		APIVersion: backstageAPIVersion,
		Kind:       "Component",
		Metadata:   meta,
		Spec: componentSpec{
			Type:         "service",
			Lifecycle:    lifecycle,
			Owner:        owner,
			ProvidesApis: []string{"api:" + name},
			ConsumesApis: consumes,
			DependsOn:    dependsOn,
		},
	}
	api := &entity{
		APIVersion: backstageAPIVersion,
		Kind:       "API",
		Metadata:   meta,
		Spec: apiSpec{
			Type:       "grpc",
			Lifecycle:  lifecycle,
			Owner:      owner,
			Definition: map[string]string{placeholder: o.DefinitionBase + s.File},
		},
	}
	return component, api, nil
}

// isEntityRef reports whether s is a Backstage entity reference:
// [KIND:][NAMESPACE/]NAME, each part valid as Backstage's validators want
// it.
func isEntityRef(s string) bool {
	rest := s
	if kind, after, ok := strings.Cut(rest, ":"); ok {
		if kind == "" || len(kind) > maxName || !isLetter(rune(kind[0])) || strings.IndexFunc(kind, notAlnum) >= 0 {
			return false
		}
		rest = after
	}
	if ns, after, ok := strings.Cut(rest, "/"); ok {
		if ns == "" || len(ns) > maxName || !isDNSLabel(ns) {
			return false
		}
		rest = after
	}
	name, err := EntityName(rest, false)
	return err == nil && name == rest
}

func isLetter(r rune) bool { return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' }

// isDNSLabel reports a-z and 0-9 words separated by "-", as Backstage
// wants a namespace.
func isDNSLabel(s string) bool {
	return s == replaceRuns(s, false, isLowerAlnum, notLowerAlnum) && !strings.Contains(s, "--")
}
