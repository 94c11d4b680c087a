// Package yamlnode reads the one YAML document of a configuration file as
// a yaml.v3 node tree, for readers that name the line and column of every
// problem: the plugin's service config and rule files, and lint's
// configuration.
package yamlnode

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

// DecodeOne returns the content of the one YAML document in data, or nil
// when data holds none (it is empty, or only comments). A second document
// is an error at its start: a file that says more than its reader reads
// would be ignored in part.
func DecodeOne(name string, data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err == io.EOF {
		return nil, nil
	} else if err != nil {
		return nil, Error(name, err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == io.EOF:
	case err != nil:
		return nil, Error(name, err)
	default:
		return nil, fmt.Errorf("%s:%d:%d: several YAML documents; want one", name, next.Line, next.Column)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

// Error puts the line of a YAML syntax error where compilers put it,
// "name:N: msg": yaml.v3 says "yaml: line N: msg".
func Error(name string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if line, text, ok := strings.Cut(rest, ": "); ok {
			return fmt.Errorf("%s:%s: %s", name, line, text)
		}
	}
	return fmt.Errorf("%s: %s", name, msg)
}
