package registration

import (
	"strconv"
	"unicode/utf8"
)

// AppendJSON appends r encoded as encoding/json would with
// SetEscapeHTML(false) and a two-space indent, followed by a newline: the
// JSON encoding of the format, as the plugin writes it. Package
// registration/codec has both encodings and decoding. A hand-written encoder,
// because the plugin's output for large requests is dominated by encoding:
// encoding/json's reflection and its separate indentation pass cost more than
// all the inference. TestJSONMatchesEncodingJSON holds the two to the same
// bytes, so a field added to the model without being added here fails it.
func AppendJSON(b []byte, r *Registration) []byte {
	e := &jsonEncoder{b: b}
	e.begin('{')
	e.field("format", r.Format)
	e.strings("files", r.Files, false)
	e.key("services")
	if r.Services == nil {
		e.null()
	} else {
		e.begin('[')
		for _, s := range r.Services {
			e.next()
			e.service(s)
		}
		e.end(']')
	}
	if len(r.Conflicts) > 0 {
		e.key("conflicts")
		e.begin('[')
		for _, c := range r.Conflicts {
			e.next()
			e.conflict(c)
		}
		e.end(']')
	}
	if len(r.Diagnostics) > 0 {
		e.key("diagnostics")
		e.begin('[')
		for _, d := range r.Diagnostics {
			e.next()
			if d == nil {
				e.null()
				continue
			}
			e.begin('{')
			e.field("rule", d.Rule)
			e.field("file", d.File)
			e.intOmit("line", d.Line)
			e.intOmit("column", d.Column)
			e.field("element", d.Element)
			e.field("message", d.Message)
			e.end('}')
		}
		e.end(']')
	}
	if len(r.Messages) > 0 {
		e.key("messages")
		e.begin('[')
		for _, m := range r.Messages {
			e.next()
			e.message(m)
		}
		e.end(']')
	}
	if len(r.Enums) > 0 {
		e.key("enums")
		e.begin('[')
		for _, en := range r.Enums {
			e.next()
			if en == nil {
				e.null()
				continue
			}
			e.begin('{')
			e.field("name", en.Name)
			e.field("file", en.File)
			e.intOmit("line", en.Line)
			e.intOmit("column", en.Column)
			e.strings("values", en.Values, false)
			e.end('}')
		}
		e.end(']')
	}
	e.end('}')
	return append(e.b, '\n')
}

func (e *jsonEncoder) message(m *Message) {
	if m == nil {
		e.null()
		return
	}
	e.begin('{')
	e.field("name", m.Name)
	e.field("file", m.File)
	e.intOmit("line", m.Line)
	e.intOmit("column", m.Column)
	e.key("fields")
	if m.Fields == nil {
		e.null()
	} else {
		e.begin('[')
		for _, f := range m.Fields {
			e.next()
			e.messageField(f)
		}
		e.end(']')
	}
	e.end('}')
}

func (e *jsonEncoder) messageField(f *Field) {
	if f == nil {
		e.null()
		return
	}
	e.begin('{')
	e.field("name", f.Name)
	e.key("number")
	e.b = strconv.AppendInt(e.b, int64(f.Number), 10)
	e.field("json_name", f.JSONName)
	e.field("type", f.Type)
	e.fieldOmit("type_name", f.TypeName)
	e.fieldOmit("map_key", f.MapKey)
	e.fieldOmit("cardinality", f.Cardinality)
	e.boolOmit("required", f.Required)
	e.boolOmit("output_only", f.OutputOnly)
	e.fieldOmit("oneof", f.Oneof)
	e.intOmit("line", f.Line)
	e.intOmit("column", f.Column)
	e.end('}')
}

func (e *jsonEncoder) service(s *Service) {
	if s == nil {
		e.null()
		return
	}
	e.begin('{')
	e.field("name", s.Name)
	e.field("package", s.Package)
	e.fieldOmit("version", s.Version)
	e.field("file", s.File)
	e.intOmit("line", s.Line)
	e.intOmit("column", s.Column)
	e.fieldOmit("description", s.Description)
	e.boolOmit("deprecated", s.Deprecated)
	e.fieldOmit("owner", s.Owner)
	e.strings("tags", s.Tags, true)
	e.fieldOmit("default_host", s.DefaultHost)
	e.strings("oauth_scopes", s.OAuthScopes, true)
	e.key("methods")
	if s.Methods == nil {
		e.null()
	} else {
		e.begin('[')
		for _, m := range s.Methods {
			e.next()
			e.method(m)
		}
		e.end(']')
	}
	if len(s.Capabilities) > 0 {
		e.key("capabilities")
		e.begin('[')
		for _, c := range s.Capabilities {
			e.next()
			if c == nil {
				e.null()
				continue
			}
			e.begin('{')
			e.field("name", c.Name)
			e.field("source", c.Source)
			e.strings("methods", c.Methods, true)
			e.end('}')
		}
		e.end(']')
	}
	if len(s.Dependencies) > 0 {
		e.key("dependencies")
		e.begin('[')
		for _, d := range s.Dependencies {
			e.next()
			if d == nil {
				e.null()
				continue
			}
			e.begin('{')
			e.field("service", d.Service)
			e.field("kind", d.Kind)
			e.boolOmit("external", d.External)
			e.fieldOmit("resource_type", d.ResourceType)
			e.fieldOmit("resolution", d.Resolution)
			e.boolOmit("across_files", d.AcrossFiles)
			e.strings("candidates", d.Candidates, true)
			e.strings("evidence", d.Evidence, true)
			e.end('}')
		}
		e.end(']')
	}
	if len(s.Events) > 0 {
		e.key("events")
		e.begin('[')
		for _, ev := range s.Events {
			e.next()
			if ev == nil {
				e.null()
				continue
			}
			e.begin('{')
			e.field("name", ev.Name)
			e.fieldOmit("method", ev.Method)
			e.field("source", ev.Source)
			e.end('}')
		}
		e.end(']')
	}
	if s.Health != nil {
		e.key("health")
		e.begin('{')
		e.field("grpc_service", s.Health.GRPCService)
		e.field("http_path", s.Health.HTTPPath)
		e.field("source", s.Health.Source)
		e.end('}')
	}
	e.strings("message_types", s.MessageTypes, true)
	e.end('}')
}

func (e *jsonEncoder) method(m *Method) {
	if m == nil {
		e.null()
		return
	}
	e.begin('{')
	e.field("name", m.Name)
	e.field("full_name", m.FullName)
	e.intOmit("line", m.Line)
	e.intOmit("column", m.Column)
	e.field("input_type", m.InputType)
	e.field("output_type", m.OutputType)
	e.field("streaming", m.Streaming)
	e.field("kind", m.Kind)
	if m.Resource != nil {
		e.key("resource")
		e.begin('{')
		e.field("type", m.Resource.Type)
		e.field("source", m.Resource.Source)
		e.field("evidence", m.Resource.Evidence)
		e.end('}')
	}
	e.fieldOmit("idempotency", m.Idempotency)
	e.boolOmit("read_only", m.ReadOnly)
	if m.LongRunning != nil {
		e.key("long_running")
		e.begin('{')
		e.field("response_type", m.LongRunning.ResponseType)
		e.fieldOmit("metadata_type", m.LongRunning.MetadataType)
		e.end('}')
	}
	e.strings("required_fields", m.RequiredFields, true)
	e.fieldOmit("description", m.Description)
	e.boolOmit("deprecated", m.Deprecated)
	if len(m.Bindings) > 0 {
		e.key("bindings")
		e.begin('[')
		for _, b := range m.Bindings {
			e.next()
			e.binding(b)
		}
		e.end(']')
	}
	e.end('}')
}

func (e *jsonEncoder) binding(b *Binding) {
	if b == nil {
		e.null()
		return
	}
	e.begin('{')
	e.field("method", b.Method)
	e.boolOmit("custom", b.Custom)
	e.field("path", b.Path)
	e.fieldOmit("body", b.Body)
	e.fieldOmit("response_body", b.ResponseBody)
	if len(b.PathParams) > 0 {
		e.key("path_params")
		e.begin('[')
		for _, p := range b.PathParams {
			e.next()
			if p == nil {
				e.null()
				continue
			}
			e.begin('{')
			e.field("field", p.Field)
			e.field("pattern", p.Pattern)
			e.end('}')
		}
		e.end(']')
	}
	e.strings("query_params", b.QueryParams, true)
	e.field("source", b.Source)
	e.end('}')
}

func (e *jsonEncoder) conflict(c *Conflict) {
	if c == nil {
		e.null()
		return
	}
	e.begin('{')
	e.fieldOmit("host", c.Host)
	e.field("method", c.Method)
	for _, side := range []struct {
		key string
		s   ConflictSide
	}{{"first", c.First}, {"second", c.Second}} {
		e.key(side.key)
		e.begin('{')
		e.field("rpc", side.s.RPC)
		e.field("path", side.s.Path)
		e.end('}')
	}
	e.end('}')
}

// jsonEncoder writes indented JSON. count holds, per open object or array,
// how many items it has so far: commas and the closing newline depend on it.
type jsonEncoder struct {
	b     []byte
	count []int
}

func (e *jsonEncoder) begin(c byte) {
	e.b = append(e.b, c)
	e.count = append(e.count, 0)
}

func (e *jsonEncoder) end(c byte) {
	n := e.count[len(e.count)-1]
	e.count = e.count[:len(e.count)-1]
	if n > 0 {
		e.newline()
	}
	e.b = append(e.b, c)
}

// next starts an item of the innermost object or array.
func (e *jsonEncoder) next() {
	i := len(e.count) - 1
	if e.count[i] > 0 {
		e.b = append(e.b, ',')
	}
	e.count[i]++
	e.newline()
}

func (e *jsonEncoder) newline() {
	e.b = append(e.b, '\n')
	for range e.count {
		e.b = append(e.b, ' ', ' ')
	}
}

func (e *jsonEncoder) null() { e.b = append(e.b, "null"...) }

func (e *jsonEncoder) key(k string) {
	e.next()
	e.str(k)
	e.b = append(e.b, ':', ' ')
}

func (e *jsonEncoder) field(k, v string) {
	e.key(k)
	e.str(v)
}

func (e *jsonEncoder) fieldOmit(k, v string) {
	if v != "" {
		e.field(k, v)
	}
}

func (e *jsonEncoder) boolOmit(k string, v bool) {
	if v {
		e.key(k)
		e.b = append(e.b, "true"...)
	}
}

// intOmit writes a number unless it is zero.
func (e *jsonEncoder) intOmit(k string, v int) {
	if v != 0 {
		e.key(k)
		e.b = strconv.AppendInt(e.b, int64(v), 10)
	}
}

// strings writes a list of strings; nil is null unless omitted, and
// omitempty also drops an empty list, as encoding/json does.
func (e *jsonEncoder) strings(k string, v []string, omitEmpty bool) {
	if omitEmpty && len(v) == 0 {
		return
	}
	e.key(k)
	if v == nil {
		e.null()
		return
	}
	e.begin('[')
	for _, s := range v {
		e.next()
		e.str(s)
	}
	e.end(']')
}

const hexDigits = "0123456789abcdef"

// str writes a JSON string with encoding/json's escaping when HTML escaping
// is off: quotes, backslashes and control characters are escaped, invalid
// UTF-8 becomes U+FFFD, and U+2028 and U+2029 are escaped for JavaScript.
func (e *jsonEncoder) str(s string) {
	b := append(e.b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	e.b = append(b, '"')
}
