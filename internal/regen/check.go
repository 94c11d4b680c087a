package regen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// CheckConfig says what Check does: report drift (the default), or fix or
// restore the output.
type CheckConfig struct {
	Config
	// Fix replaces the output directories with the new generation when it
	// differs (Drift.Apply, which refuses to take away files that do not
	// look generated) instead of reporting the drift.
	Fix bool
	// Restore swaps the previous generation back in (Generator.Restore) and
	// does nothing else. Fix and Restore exclude each other.
	Restore bool
	// Diff adds a unified diff of each content change to the report.
	Diff bool
	// Git also reports generated files that git does not track or that
	// differ from HEAD (Generator.GitDrift).
	Git bool
	// Format is the report's: "table" (or empty), "json" or "yaml" (Report).
	Format string
}

// Check is "registration check": it generates into a staging directory,
// compares the result with the output directories and writes the report to
// stdout, and notes and the generation's own output to stderr. It reports
// drift, a true result, when any file differs (changed, missing, stale,
// untracked or uncommitted), and then ends its report with a line on
// stderr that says what to do. With Fix or Restore it changes the output
// instead and reports no drift. An error means that it could not do its
// work: bad configuration, a failed generation (the output untouched), an
// output that Fix refuses to replace.
func Check(ctx context.Context, cfg CheckConfig, stdout, stderr io.Writer) (drift bool, err error) {
	switch cfg.Format {
	case "", "table", "json", "yaml":
	default:
		return false, fmt.Errorf("format %q: want table, json or yaml", cfg.Format)
	}
	if cfg.Fix && cfg.Restore {
		return false, errors.New("--fix and --restore exclude each other")
	}
	g, err := New(cfg.Config)
	if err != nil {
		return false, err
	}
	if cfg.Restore {
		dirs, err := g.Restore()
		if err != nil {
			return false, fmt.Errorf("restore: %v", err)
		}
		fmt.Fprintf(stdout, "restored the previous generation of %s; the replaced one is now the previous (--restore again swaps back)\n", strings.Join(dirs, ", "))
		return false, nil
	}

	gen, err := g.Generate(ctx)
	if err != nil {
		return false, fmt.Errorf("generation failed; the output was not touched:\n%v", err)
	}
	defer gen.Discard()
	if len(gen.Log) > 0 {
		stderr.Write(gen.Log)
	}
	d, err := gen.Compare()
	if err != nil {
		return false, err
	}
	if cfg.Fix {
		return false, fix(g, d, stdout)
	}

	changes := d.Changes
	if cfg.Git {
		gitChanges, err := g.GitDrift(d.Current, d.Generated, changes)
		switch {
		case errors.Is(err, ErrNoGit):
			fmt.Fprintf(stderr, "registration check: %v; untracked and uncommitted files are not checked\n", err)
		case err != nil:
			return false, err
		}
		changes = append(slices.Clip(changes), gitChanges...)
		slices.SortStableFunc(changes, func(a, b FileChange) int { return strings.Compare(a.Path, b.Path) })
	}
	if err := NewReport(d.Outputs, changes, cfg.Diff).Write(stdout, cfg.Format); err != nil {
		return false, err
	}
	if len(changes) == 0 {
		return false, nil
	}
	remedy := `run "registration check --fix" and commit the result`
	switch foreign := d.Foreign(); {
	case len(foreign) > 0:
		remedy = fmt.Sprintf("%s in the output do not look generated (%s): move them out of it, then run \"registration check --fix\" and commit the result",
			plural(len(foreign), "file"), fewOf(foreign))
	case !slices.ContainsFunc(changes, func(c FileChange) bool { return UnifiedDiff(c) != "" }):
		remedy = "their content is right: commit them"
	}
	fmt.Fprintf(stderr, "registration check: %s out of date: %s\n", plural(len(changes), "generated file"), remedy)
	return true, nil
}

// fix replaces the output with the generation d holds, when it differs,
// and lists what it did.
func fix(g *Generator, d *Drift, stdout io.Writer) error {
	if len(d.Changes) == 0 {
		fmt.Fprintf(stdout, "%s: up to date, nothing to fix\n", strings.Join(d.Outputs, ", "))
		return nil
	}
	if err := d.Apply(); err != nil {
		var foreign *ForeignError
		if errors.As(err, &foreign) {
			return fmt.Errorf("%v. --fix replaces an output directory whole, so they would leave the working tree: %s", err, foreignRemedy)
		}
		return fmt.Errorf("the output keeps its last generation: %v", err)
	}
	for _, c := range d.Changes {
		fmt.Fprintf(stdout, "%-12s %s\n", fixedVerb(c.Status), c.Path)
	}
	fmt.Fprintf(stdout, "updated %s; the previous generation is in %s (registration check --restore brings it back)\n",
		plural(len(d.Changes), "file"), displayPath(g.Dir(), g.PreviousDir()))
	return nil
}

// Report is Check's report of drift; its JSON and YAML encodings are the
// check verb's output in those formats.
type Report struct {
	// UpToDate reports that no file differs.
	UpToDate bool `json:"up_to_date" yaml:"up_to_date"`
	// Outputs are the output directories checked.
	Outputs []string `json:"outputs" yaml:"outputs"`
	// Files are the files that differ, sorted by path.
	Files []ReportFile `json:"files" yaml:"files"`
}

// ReportFile is one file that differs.
type ReportFile struct {
	// Path is relative to the working directory, with slashes.
	Path string `json:"path" yaml:"path"`
	// Status is the FileChange's.
	Status string `json:"status" yaml:"status"`
	// Diff is the change as a unified diff (UnifiedDiff), when the report
	// has diffs and the file's content differs.
	Diff string `json:"diff,omitempty" yaml:"diff,omitempty"`
}

// NewReport returns the report of changes to the output directories
// outputs, with the unified diff of each change when diffs is set.
func NewReport(outputs []string, changes []FileChange, diffs bool) *Report {
	r := &Report{UpToDate: len(changes) == 0, Outputs: outputs, Files: []ReportFile{}}
	for _, c := range changes {
		f := ReportFile{Path: c.Path, Status: string(c.Status)}
		if diffs {
			f.Diff = UnifiedDiff(c)
		}
		r.Files = append(r.Files, f)
	}
	return r
}

// Write writes the report in format: "table" (or empty) for a line per
// file, its status and path, followed by the diffs, or "OUTPUTS: up to
// date"; "json" or "yaml" for the encoded Report.
func (r *Report) Write(w io.Writer, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "yaml":
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		if err := enc.Encode(r); err != nil {
			return err
		}
		return enc.Close()
	}
	if r.UpToDate {
		_, err := fmt.Fprintf(w, "%s: up to date\n", strings.Join(r.Outputs, ", "))
		return err
	}
	for _, f := range r.Files {
		fmt.Fprintf(w, "%-12s %s\n", f.Status, f.Path)
	}
	for _, f := range r.Files {
		if f.Diff != "" {
			fmt.Fprintf(w, "\n%s", f.Diff)
		}
	}
	return nil
}
