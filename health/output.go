package health

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Output formats of WriteResults and WriteEvent.
const (
	FormatTable = "table"
	FormatJSON  = "json"
	FormatYAML  = "yaml"
)

// timeLayout is how times are written: UTC, to the millisecond.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// chooseFormat returns format, or when it is empty, table for a terminal
// and JSON for anything else.
func chooseFormat(format string, w io.Writer) string {
	if format != "" {
		return format
	}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			return FormatTable
		}
	}
	return FormatJSON
}

// resultRecord is a Result as JSON and YAML write it.
type resultRecord struct {
	Service   string  `json:"service" yaml:"service"`
	Check     Kind    `json:"check" yaml:"check"`
	Address   string  `json:"address" yaml:"address"`
	Target    string  `json:"target" yaml:"target"`
	Status    Status  `json:"status" yaml:"status"`
	Detail    string  `json:"detail,omitempty" yaml:"detail,omitempty"`
	LatencyMS float64 `json:"latency_ms" yaml:"latency_ms"`
	Error     string  `json:"error,omitempty" yaml:"error,omitempty"`
	Time      string  `json:"time" yaml:"time"`
}

func newResultRecord(r Result) resultRecord {
	return resultRecord{
		Service:   r.Service,
		Check:     r.Kind,
		Address:   r.Address,
		Target:    r.Target,
		Status:    r.Status,
		Detail:    r.Detail,
		LatencyMS: milliseconds(r.Latency),
		Error:     r.Error,
		Time:      r.Time.UTC().Format(timeLayout),
	}
}

// report is the whole output of a batch run in JSON and YAML.
type report struct {
	Results []resultRecord `json:"results" yaml:"results"`
	Summary summary        `json:"summary" yaml:"summary"`
}

type summary struct {
	Total    int `json:"total" yaml:"total"`
	Healthy  int `json:"healthy" yaml:"healthy"`
	Failing  int `json:"failing" yaml:"failing"`
	ExitCode int `json:"exit_code" yaml:"exit_code"`
}

func summarize(results []Result) summary {
	s := summary{Total: len(results), ExitCode: ExitCode(results)}
	for _, r := range results {
		if r.Status == StatusHealthy {
			s.Healthy++
		}
	}
	s.Failing = s.Total - s.Healthy
	return s
}

// WriteResults writes the results of a batch run in their order (see
// SortResults), as FormatTable, FormatJSON or FormatYAML: a table with a
// summary line, or one document with the results and a summary (total,
// healthy, failing, exit_code). In JSON and YAML, latencies are in
// milliseconds to the microsecond and times are RFC 3339, in UTC, to the
// millisecond.
func WriteResults(w io.Writer, format string, results []Result) error {
	switch format {
	case FormatTable:
		return writeTable(w, results)
	case FormatJSON, FormatYAML:
		rep := report{Results: make([]resultRecord, 0, len(results)), Summary: summarize(results)}
		for _, r := range results {
			rep.Results = append(rep.Results, newResultRecord(r))
		}
		return encode(w, format, rep, false)
	}
	return fmt.Errorf("unknown output format %q", format)
}

func writeTable(w io.Writer, results []Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tCHECK\tADDRESS\tSTATUS\tLATENCY\tDETAIL\tTIME\tERROR")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			printable(serviceLabel(r.Service)), printable(string(r.Kind)), printable(r.Address), printable(string(r.Status)),
			formatLatency(r.Latency), printable(dash(r.Detail)), r.Time.Format("15:04:05.000"), printable(dash(r.Error)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	s := summarize(results)
	_, err := fmt.Fprintf(w, "%d checked, %d healthy, %d failing\n", s.Total, s.Healthy, s.Failing)
	return err
}

// eventRecord is an Event as JSON and YAML write it.
type eventRecord struct {
	Time     string  `json:"time" yaml:"time"`
	Service  string  `json:"service" yaml:"service"`
	Check    Kind    `json:"check" yaml:"check"`
	Address  string  `json:"address" yaml:"address"`
	Target   string  `json:"target" yaml:"target"`
	Previous Status  `json:"previous,omitempty" yaml:"previous,omitempty"`
	Status   Status  `json:"status" yaml:"status"`
	Detail   string  `json:"detail,omitempty" yaml:"detail,omitempty"`
	Latency  float64 `json:"latency_ms" yaml:"latency_ms"`
	Error    string  `json:"error,omitempty" yaml:"error,omitempty"`
	// Consecutive is how many checks in a row had this outcome.
	Consecutive int `json:"consecutive" yaml:"consecutive"`
}

func newEventRecord(e Event) eventRecord {
	return eventRecord{
		Time:        e.Time.UTC().Format(timeLayout),
		Service:     e.Service,
		Check:       e.Kind,
		Address:     e.Address,
		Target:      e.Target,
		Previous:    e.Previous,
		Status:      e.Status,
		Detail:      e.Detail,
		Latency:     milliseconds(e.Latency),
		Error:       e.Error,
		Consecutive: e.Consecutive,
	}
}

// WriteEvent writes one change of status of a Monitor, as FormatTable,
// FormatJSON or FormatYAML: a line, a JSON object on a line of its own, or
// a YAML document that starts with "---", so that a stream of events
// stays readable line by line or document by document.
func WriteEvent(w io.Writer, format string, e Event) error {
	rec := newEventRecord(e)
	switch format {
	case FormatJSON, FormatYAML:
		return encode(w, format, rec, true)
	case FormatTable:
	default:
		return fmt.Errorf("unknown output format %q", format)
	}
	prev := string(e.Previous)
	if prev == "" {
		prev = string(StatusUnknown)
	}
	line := fmt.Sprintf("%s  %s  %s  %s  %s -> %s  %s  %s",
		rec.Time, printable(serviceLabel(e.Service)), printable(string(e.Kind)), printable(e.Address),
		printable(prev), printable(string(e.Status)), formatLatency(e.Latency.Round(time.Microsecond)), printable(dash(e.Detail)))
	if e.Error != "" {
		line += "  " + printable(e.Error)
	}
	_, err := fmt.Fprintln(w, line)
	return err
}

// encode writes v as JSON or YAML. A stream of values (monitor events)
// has one JSON object per line, or one YAML document each, "---" first; a
// single value (a batch report) is indented JSON or a plain YAML document.
func encode(w io.Writer, format string, v any, stream bool) error {
	if format == FormatJSON {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		if !stream {
			enc.SetIndent("", "  ")
		}
		return enc.Encode(v)
	}
	var b strings.Builder
	if stream {
		b.WriteString("---\n")
	}
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// printable escapes what a terminal would act on rather than show, so
// that a server's answer, quoted in an error, cannot move the cursor,
// change colours or rewrite the line: C0 controls (tab and newline too,
// which would break a table's columns and lines), DEL, C1 controls, the
// Unicode line and paragraph separators and the bidirectional controls
// that reorder text, as \x1b, \u009b or \u202e, and bytes that are not
// UTF-8, as \xff. JSON and YAML carry the text as it is: their encoders
// escape it.
func printable(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// needsEscape says whether printable has anything to escape in s.
func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r < 0x20 || r == 0x7f || unsafeRune(r) || (r == utf8.RuneError && size == 1) {
			return true
		}
		i += size
	}
	return false
}

// unsafeRune says whether r, beyond ASCII, is a C1 control, a line or
// paragraph separator, or a bidirectional control.
func unsafeRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f: // C1, CSI (U+009B) among them
		return true
	case r == 0x2028 || r == 0x2029: // line and paragraph separators
		return true
	case r >= 0x200e && r <= 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x061c:
		return true
	}
	return false
}

// serviceLabel names a result's service in a table; a whole-server check
// has none.
func serviceLabel(s string) string {
	if s == "" {
		return "(server)"
	}
	return s
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// milliseconds is d in milliseconds, to the microsecond.
func milliseconds(d time.Duration) float64 {
	return math.Round(float64(d)/float64(time.Microsecond)) / 1000
}

// formatLatency writes a latency short enough for a table column.
func formatLatency(d time.Duration) string {
	switch {
	case d <= 0:
		return "-"
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Millisecond).String()
}
