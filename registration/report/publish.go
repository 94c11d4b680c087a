package report

import (
	"fmt"
	"io"
)

// Publish is what registration publish did: the services it put into
// etcd (new or changed), those already there as they are, and those it
// pruned, each list sorted by full name.
type Publish struct {
	// Source is the name the services were published under.
	Source string `json:"source" yaml:"source"`
	// Prefix is the key prefix in etcd.
	Prefix    string   `json:"prefix" yaml:"prefix"`
	Put       []string `json:"put" yaml:"put"`
	Unchanged []string `json:"unchanged" yaml:"unchanged"`
	Pruned    []string `json:"pruned" yaml:"pruned"`
}

// WritePublish writes p in format. The table has a line per service with
// what was done to it, and a last line that counts them.
func WritePublish(w io.Writer, format string, p Publish) error {
	// Empty lists, not null.
	for _, l := range []*[]string{&p.Put, &p.Unchanged, &p.Pruned} {
		if *l == nil {
			*l = []string{}
		}
	}
	return Write(w, format, p, func(w io.Writer) error {
		tw := NewTable(w)
		fmt.Fprintln(tw, "SERVICE\tACTION")
		for _, l := range []struct {
			action   string
			services []string
		}{{"put", p.Put}, {"unchanged", p.Unchanged}, {"pruned", p.Pruned}} {
			for _, s := range l.services {
				fmt.Fprintf(tw, "%s\t%s\n", s, l.action)
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		_, err := fmt.Fprintf(w, "%d put, %d unchanged, %d pruned; source %q under %s\n",
			len(p.Put), len(p.Unchanged), len(p.Pruned), p.Source, p.Prefix)
		return err
	})
}
