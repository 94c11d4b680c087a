package graph

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// Mermaid's default limits, which its renderers apply unless the page that
// embeds Mermaid initializes it with others (a diagram cannot raise them
// itself: Mermaid treats both as secure settings).
const (
	// MermaidMaxEdges is Mermaid's default maxEdges: a flowchart with more
	// edges fails to render ("Edge limit exceeded").
	MermaidMaxEdges = 500
	// MermaidMaxTextSize is Mermaid's default maxTextSize, in the UTF-16
	// code units of JavaScript's String.length: a longer diagram is
	// replaced by "Maximum text size in diagram exceeded".
	MermaidMaxTextSize = 50000
)

// MermaidLimitError reports a Mermaid flowchart past Mermaid's default
// limits: its figures, and which limits they pass.
type MermaidLimitError struct {
	// Edges is the number of edges of the flowchart and TextSize its
	// length in UTF-16 code units, as Mermaid measures it.
	Edges, TextSize int
}

// OverEdges reports whether the flowchart has more edges than maxEdges
// allows.
func (e *MermaidLimitError) OverEdges() bool { return e.Edges > MermaidMaxEdges }

// OverTextSize reports whether the flowchart is longer than maxTextSize
// allows.
func (e *MermaidLimitError) OverTextSize() bool { return e.TextSize > MermaidMaxTextSize }

func (e *MermaidLimitError) Error() string {
	var over []string
	if e.OverEdges() {
		over = append(over, fmt.Sprintf("%s edges, past Mermaid's default maxEdges of %s", thousands(e.Edges), thousands(MermaidMaxEdges)))
	}
	if e.OverTextSize() {
		over = append(over, fmt.Sprintf("%s characters, past Mermaid's default maxTextSize of %s", thousands(e.TextSize), thousands(MermaidMaxTextSize)))
	}
	return "the Mermaid flowchart has " + strings.Join(over, ", and ") + ": Mermaid will not render it"
}

// thousands writes n with a comma between groups of three digits.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// CheckMermaid returns a *MermaidLimitError when the Mermaid flowchart
// that Write makes of the graph passes one of Mermaid's default limits
// (MermaidMaxEdges, MermaidMaxTextSize), and nil when it fits.
func (g *Graph) CheckMermaid() error {
	var c utf16Counter
	if err := writeMermaid(&c, g); err != nil {
		return err
	}
	e := &MermaidLimitError{Edges: len(g.Edges), TextSize: c.n}
	if e.OverEdges() || e.OverTextSize() {
		return e
	}
	return nil
}

// utf16Counter counts what is written to it in UTF-16 code units, the
// unit of Mermaid's maxTextSize.
type utf16Counter struct{ n int }

func (c *utf16Counter) Write(p []byte) (int, error) {
	for i := 0; i < len(p); {
		if p[i] < utf8.RuneSelf {
			c.n++
			i++
			continue
		}
		r, size := utf8.DecodeRune(p[i:])
		c.n += utf16.RuneLen(r)
		i += size
	}
	return len(p), nil
}

// writeMermaid writes the graph as a Mermaid flowchart: one subgraph per
// package, external targets dashed, arrows by kind (resource -->, schema
// -.->, declared ==>) and red when they lie on a cycle.
//
// Node and subgraph ids are derived from names alone (mermaidIDs), so that
// adding a service to a committed diagram adds lines without changing the
// others. Edges on a cycle come first, each group in the graph's order:
// Mermaid can only colour an edge through linkStyle, which names edges by
// position, and this way an edge that is on no cycle, the usual addition,
// moves none of the red ones.
func writeMermaid(w io.Writer, g *Graph) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "flowchart LR")
	ids := mermaidIDs(g.Nodes)
	order, byPkg := g.packages()
	for _, pkg := range order {
		fmt.Fprintf(bw, "  subgraph %s [%s]\n", mermaidSubgraphID(pkg), mermaidText(pkg))
		for _, n := range byPkg[pkg] {
			fmt.Fprintf(bw, "    %s[%s]\n", ids[n.Name], mermaidText(strings.TrimPrefix(n.Name, pkg+".")))
		}
		fmt.Fprintln(bw, "  end")
	}
	external := false
	for _, n := range g.Nodes {
		switch {
		case n.External:
			fmt.Fprintf(bw, "  %s[%s]:::external\n", ids[n.Name], mermaidText(n.Name+" (external)"))
			external = true
		case n.Package == "":
			fmt.Fprintf(bw, "  %s[%s]\n", ids[n.Name], mermaidText(n.Name))
		}
	}
	cyclic := g.onCycle()
	var red []string
	for _, onCycle := range []bool{true, false} {
		for i, e := range g.Edges {
			if cyclic[i] != onCycle {
				continue
			}
			if onCycle {
				red = append(red, fmt.Sprint(len(red)))
			}
			arrow, ok := mermaidArrow[e.Kind]
			if !ok {
				arrow = mermaidArrow[registration.DependencyResource]
			}
			fmt.Fprintf(bw, "  %s %s|%s| %s\n", ids[e.From], arrow, mermaidText(e.Kind), ids[e.To])
		}
	}
	if external {
		fmt.Fprintln(bw, "  classDef external stroke-dasharray:5 5,color:#555")
	}
	if len(red) > 0 {
		fmt.Fprintf(bw, "  linkStyle %s stroke:red,color:red\n", strings.Join(red, ","))
	}
	return bw.Flush()
}

// mermaidText quotes a label, with Mermaid's entity for a double quote.
func mermaidText(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, "#quot;") + `"`
}

// mermaidKeywords are the words that Mermaid's flowchart grammar does not
// take as a node id (checked with Mermaid 11's parser): a name that is one
// of them gets an id with a hash, like a name with other characters.
var mermaidKeywords = []string{
	"_blank", "_parent", "_self", "_top", "call", "class", "classDef", "click", "end",
	"flowchart", "graph", "href", "interpolate", "linkStyle", "style", "subgraph",
}

// mermaidIDs returns the Mermaid id of every node, by name. An id depends
// on its name alone, never on the other nodes, so that adding a service to
// a graph changes no other id:
//
//   - A name made of letters and digits in words separated by single
//     underscores, with dots between components (every service name of
//     googleapis, "my_company.orders.v1.OrderService"), has each dot
//     replaced by "_" and each underscore doubled:
//     my__company_orders_v1_OrderService. Such ids never hold three
//     underscores in a row, and two such names never share one.
//   - Any other name (a resource type such as
//     "library.example.com/Book", a name with other characters or
//     underscores, or a Mermaid keyword such as "end") has each character
//     other than a letter or digit replaced by "_", then "___" and the
//     first 8 hexadecimal digits of the SHA-256 of the name:
//     library_example_com_Book___809c0a14.
//   - Should two names of the second kind still share an id (the same
//     characters where they are letters and digits, and the same 32 bits
//     of hash), both use all 64 hexadecimal digits of their hash instead.
func mermaidIDs(nodes []*Node) map[string]string {
	ids := make(map[string]string, len(nodes))
	byID := make(map[string][]string, len(nodes))
	for _, n := range nodes {
		id := mermaidID(n.Name, 8)
		ids[n.Name] = id
		byID[id] = append(byID[id], n.Name)
	}
	for _, names := range byID {
		if len(names) > 1 {
			for _, name := range names {
				ids[name] = mermaidID(name, sha256.Size*2)
			}
		}
	}
	return ids
}

// mermaidID is the id of a name under mermaidIDs' rules, with digits
// hexadecimal digits of hash when the name needs one.
func mermaidID(name string, digits int) string {
	if plainName(name) {
		var sb strings.Builder
		for _, c := range []byte(name) {
			switch c {
			case '.':
				sb.WriteByte('_')
			case '_':
				sb.WriteString("__")
			default:
				sb.WriteByte(c)
			}
		}
		return sb.String()
	}
	var sb strings.Builder
	for _, r := range name {
		if isAlnum(r) {
			sb.WriteRune(r)
		} else {
			sb.WriteByte('_')
		}
	}
	sum := sha256.Sum256([]byte(name))
	return sb.String() + "___" + hex.EncodeToString(sum[:])[:digits]
}

// mermaidSubgraphID is the id of a package's subgraph: the package's id
// under mermaidIDs' rules and "___pkg", which no node's id ends with.
func mermaidSubgraphID(pkg string) string {
	return mermaidID(pkg, 8) + "___pkg"
}

// plainName reports whether a name takes the first of mermaidIDs' rules:
// dot-separated components, each of words of ASCII letters and digits
// separated by single underscores, and not a Mermaid keyword.
func plainName(name string) bool {
	if slices.Contains(mermaidKeywords, name) {
		return false
	}
	for component := range strings.SplitSeq(name, ".") {
		for word := range strings.SplitSeq(component, "_") {
			if word == "" {
				return false
			}
			for _, r := range word {
				if !isAlnum(r) {
					return false
				}
			}
		}
	}
	return true
}

func isAlnum(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}
