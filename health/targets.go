package health

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
	"golang.org/x/net/http/httpguts"
	"google.golang.org/grpc/metadata"
)

// targetsFile is the targets file: where services run, and how each is
// checked. Config.Plan's doc comment shows its format. A targetsFile is
// checked whole by readTargetsFile; what it leaves in the unexported
// fields of its blocks (TLS configurations, headers, regexps) is ready to
// put into checks.
type targetsFile struct {
	Default  *targetEntry            `yaml:"default"`
	Services map[string]*targetEntry `yaml:"services"`
}

// targetEntry is how one service, or every service by default, is
// checked. Every key is optional; a service kind block's setting wins over
// the entry's.
type targetEntry struct {
	Check            []string       `yaml:"check"`
	Address          string         `yaml:"address"`
	GRPCAddress      string         `yaml:"grpc_address"`
	HTTPAddress      string         `yaml:"http_address"`
	Timeout          *time.Duration `yaml:"timeout"`
	Interval         *time.Duration `yaml:"interval"`
	FailureThreshold *int           `yaml:"failure_threshold"`
	SuccessThreshold *int           `yaml:"success_threshold"`
	GRPC             *grpcBlock     `yaml:"grpc"`
	HTTP             *httpBlock     `yaml:"http"`
	TCP              *tcpBlock      `yaml:"tcp"`

	kinds []Kind // Check, parsed
}

// grpcBlock is the settings of an entry's gRPC checks.
type grpcBlock struct {
	Address  string            `yaml:"address"`
	Timeout  *time.Duration    `yaml:"timeout"`
	TLS      *tlsBlock         `yaml:"tls"`
	Metadata map[string]string `yaml:"metadata"`
}

// httpBlock is the settings of an entry's HTTP checks.
type httpBlock struct {
	Address      string            `yaml:"address"`
	Timeout      *time.Duration    `yaml:"timeout"`
	Method       string            `yaml:"method"`
	Path         string            `yaml:"path"`
	Headers      map[string]string `yaml:"headers"`
	ExpectStatus []int             `yaml:"expect_status"`
	BodyMatch    string            `yaml:"body_match"`
	TLS          *tlsBlock         `yaml:"tls"`

	header    http.Header // Headers but Host, canonical
	host      string      // the Host of Headers
	bodyMatch *regexp.Regexp
}

// tcpBlock is the settings of an entry's TCP checks.
type tcpBlock struct {
	Address string         `yaml:"address"`
	Timeout *time.Duration `yaml:"timeout"`
}

// tlsBlock is a tls key: present, it turns TLS on for its kind of check,
// with the system roots unless it says otherwise; "tls: false" turns it
// off, over a default's tls or --tls.
type tlsBlock struct {
	off bool
	tlsFiles

	config *tls.Config // made by readTargetsFile, shared by equal blocks
}

// tlsFiles is what a tls mapping may say. File names are relative to the
// targets file's directory.
type tlsFiles struct {
	CA         string `yaml:"ca"`
	Cert       string `yaml:"cert"`
	Key        string `yaml:"key"`
	ServerName string `yaml:"server_name"`
	Insecure   bool   `yaml:"insecure"`
}

// decodeNode reads a tls key: a mapping, true or nothing (TLS with the
// system roots), or false (no TLS).
func (b *tlsBlock) decodeNode(d *strictDecoder, n *yaml.Node, path string) {
	switch {
	case isNull(n):
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool":
		var on bool
		_ = n.Decode(&on)
		b.off = !on
	case n.Kind == yaml.MappingNode:
		d.decode(n, path, reflect.ValueOf(&b.tlsFiles).Elem())
	default:
		d.errorf(n, path, "want a mapping of ca, cert, key, server_name and insecure, or true or false, got %s", nodeKind(n))
	}
}

// readTargetsFile reads and checks a targets file, and every file it
// names. Whether its services exist is checked later, against the
// registration files.
func readTargetsFile(name string) (*targetsFile, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("targets file: %w", err)
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty targets file", name)
		}
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	root := doc.Content[0]
	f := &targetsFile{}
	d := &strictDecoder{file: name}
	if root.Kind != yaml.MappingNode {
		d.errorf(root, "(top)", "want a mapping with default and services, got %s", nodeKind(root))
		return nil, errors.Join(d.errs...)
	}
	d.decode(root, "", reflect.ValueOf(f).Elem())

	// Values are checked even when some did not decode, so that every
	// problem is reported at once; one that did not decode is left out.
	c := &fileChecker{file: name, dir: filepath.Dir(name), tlsConfigs: map[tlsFiles]tlsLoaded{}, undecoded: d.failed}
	if f.Default != nil {
		c.entry(f.Default, "default")
	}
	for _, svc := range sortedKeys(f.Services) {
		c.entry(f.Services[svc], "services."+svc)
	}
	if f.Default == nil && len(f.Services) == 0 && len(d.errs) == 0 {
		c.fail("", "neither default nor services is given")
	}
	return f, errors.Join(append(d.errs, c.errs...)...)
}

// fileChecker checks the values of a decoded targets file and makes what
// its checks need: TLS configurations (one per distinct tls block, so that
// checks with equal settings share connections), headers, metadata and
// regexps.
type fileChecker struct {
	file       string
	dir        string
	tlsConfigs map[tlsFiles]tlsLoaded
	// undecoded are the key paths of values that did not decode, and
	// were reported.
	undecoded []string
	errs      []error
}

// tlsLoaded is a configuration made from a tls block, or why it could not
// be.
type tlsLoaded struct {
	config *tls.Config
	err    error
}

// fail records a problem of the value at key path where.
func (c *fileChecker) fail(where, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if where != "" {
		msg = where + ": " + msg
	}
	c.errs = append(c.errs, fmt.Errorf("%s: %s", c.file, msg))
}

// entry checks an entry; where is its key path.
func (c *fileChecker) entry(e *targetEntry, where string) {
	if e == nil || reflect.ValueOf(*e).IsZero() {
		// Unless its keys did not decode: they were reported.
		if !slices.ContainsFunc(c.undecoded, func(p string) bool { return strings.HasPrefix(p, where+".") }) {
			c.fail(where, "empty entry: give an address or a setting")
		}
		return
	}
	if e.Check != nil {
		kinds, err := parseKinds(e.Check)
		if err != nil {
			c.fail(where+".check", "%v", err)
		}
		e.kinds = kinds
	}
	c.address(where+".address", e.Address, validateAddress)
	c.address(where+".grpc_address", e.GRPCAddress, validateAddress)
	c.address(where+".http_address", e.HTTPAddress, validateHTTPAddress)
	c.positive(where+".timeout", e.Timeout)
	c.positive(where+".interval", e.Interval)
	if n := e.FailureThreshold; n != nil && *n < 1 {
		c.fail(where+".failure_threshold", "%d: must be at least 1", *n)
	}
	if n := e.SuccessThreshold; n != nil && *n < 1 {
		c.fail(where+".success_threshold", "%d: must be at least 1", *n)
	}
	if b := e.GRPC; b != nil {
		c.address(where+".grpc.address", b.Address, validateAddress)
		c.positive(where+".grpc.timeout", b.Timeout)
		c.tls(where+".grpc.tls", b.TLS)
		for _, k := range sortedKeys(b.Metadata) {
			if err := validateMetadata(k, b.Metadata[k]); err != nil {
				c.fail(where+".grpc.metadata."+k, "%v", err)
			}
		}
	}
	if b := e.HTTP; b != nil {
		c.http(b, where+".http")
	}
	if b := e.TCP; b != nil {
		c.address(where+".tcp.address", b.Address, validateAddress)
		c.positive(where+".tcp.timeout", b.Timeout)
	}
}

// http checks an entry's http block and makes its header and regexp.
func (c *fileChecker) http(b *httpBlock, where string) {
	c.address(where+".address", b.Address, validateHTTPAddress)
	c.positive(where+".timeout", b.Timeout)
	c.tls(where+".tls", b.TLS)
	if b.Method != "" && strings.IndexFunc(b.Method, func(r rune) bool { return !httpguts.IsTokenRune(r) }) >= 0 {
		c.fail(where+".method", "%q is not an HTTP method", b.Method)
	}
	if b.Path != "" {
		if u, err := url.ParseRequestURI(b.Path); err != nil || !strings.HasPrefix(b.Path, "/") || u.Host != "" {
			c.fail(where+".path", "%q: want a path starting with /", b.Path)
		}
	}
	if b.Headers != nil {
		b.header = http.Header{}
	}
	for _, name := range sortedKeys(b.Headers) {
		value := b.Headers[name]
		switch {
		case !httpguts.ValidHeaderFieldName(name):
			c.fail(where+".headers", "invalid header name %q", name)
		case !httpguts.ValidHeaderFieldValue(value):
			c.fail(where+".headers."+name, "invalid header value %q", value)
		case strings.EqualFold(name, "Host"):
			b.host = value
		default:
			b.header.Set(name, value)
		}
	}
	if b.ExpectStatus != nil && len(b.ExpectStatus) == 0 {
		c.fail(where+".expect_status", "empty: give statuses, or leave the key out for 200 to 399")
	}
	for _, code := range b.ExpectStatus {
		if code < 100 || code > 599 {
			c.fail(where+".expect_status", "%d is not an HTTP status", code)
		}
	}
	if b.BodyMatch != "" {
		re, err := regexp.Compile(b.BodyMatch)
		if err != nil {
			c.fail(where+".body_match", "invalid regexp %q: %v", b.BodyMatch, err)
		}
		b.bodyMatch = re
	}
}

// address checks an address with validate, when one is given.
func (c *fileChecker) address(where, addr string, validate func(string) error) {
	if addr == "" {
		return
	}
	if err := validate(addr); err != nil {
		c.fail(where, "%v", err)
	}
}

// positive checks a duration, when one is given.
func (c *fileChecker) positive(where string, d *time.Duration) {
	if d != nil && *d <= 0 {
		c.fail(where, "%v: must be positive", *d)
	}
}

// tls checks a tls block, reads its files and makes its configuration,
// once for every block with the same settings.
func (c *fileChecker) tls(where string, b *tlsBlock) {
	if b == nil || b.off {
		return
	}
	files := b.tlsFiles
	for _, p := range []*string{&files.CA, &files.Cert, &files.Key} {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(c.dir, *p)
		}
	}
	// A file that failed is read again for each key that names it, so
	// that each error names its own key.
	loaded, ok := c.tlsConfigs[files]
	if !ok || loaded.err != nil {
		loaded.config, loaded.err = loadTLS(files.CA, files.Cert, files.Key, files.ServerName, files.Insecure,
			tlsNames{ca: where + ".ca", cert: where + ".cert", key: where + ".key"})
		c.tlsConfigs[files] = loaded
	}
	if loaded.err != nil {
		for _, line := range strings.Split(loaded.err.Error(), "\n") {
			c.fail("", "%s", line)
		}
	}
	b.config = loaded.config
}

// serviceNames returns the file's service names, sorted so that error
// messages come in a stable order.
func (f *targetsFile) serviceNames() []string {
	return sortedKeys(f.Services)
}

// entries returns the entries that apply to a service, nearest first:
// its own, then the default.
func (f *targetsFile) entries(service string) []*targetEntry {
	if f == nil {
		return nil
	}
	var out []*targetEntry
	for _, e := range []*targetEntry{f.Services[service], f.Default} {
		if e != nil {
			out = append(out, e)
		}
	}
	return out
}

// addresses returns the entry's addresses for a check kind, in the order
// they are tried: the kind block's, the entry's for the kind
// (grpc_address, http_address), then address; a TCP check tries
// grpc_address after address, as it usually checks the gRPC port.
func (e *targetEntry) addresses(k Kind) []string {
	switch k {
	case KindGRPC:
		var a string
		if e.GRPC != nil {
			a = e.GRPC.Address
		}
		return []string{a, e.GRPCAddress, e.Address}
	case KindHTTP:
		var a string
		if e.HTTP != nil {
			a = e.HTTP.Address
		}
		return []string{a, e.HTTPAddress, e.Address}
	}
	var a string
	if e.TCP != nil {
		a = e.TCP.Address
	}
	return []string{a, e.Address, e.GRPCAddress}
}

// timeout returns the entry's timeout for a check kind, the kind block's
// first, if it has one.
func (e *targetEntry) timeout(k Kind) *time.Duration {
	var t *time.Duration
	switch {
	case k == KindGRPC && e.GRPC != nil:
		t = e.GRPC.Timeout
	case k == KindHTTP && e.HTTP != nil:
		t = e.HTTP.Timeout
	case k == KindTCP && e.TCP != nil:
		t = e.TCP.Timeout
	}
	if t == nil {
		t = e.Timeout
	}
	return t
}

// tls returns the entry's tls block for a check kind, if it has one.
func (e *targetEntry) tls(k Kind) *tlsBlock {
	switch {
	case k == KindGRPC && e.GRPC != nil:
		return e.GRPC.TLS
	case k == KindHTTP && e.HTTP != nil:
		return e.HTTP.TLS
	}
	return nil
}

// flagTarget is one --target flag.
type flagTarget struct {
	raw     string
	service string
	address string
}

// parseTargetFlags parses --target SERVICE=ADDRESS flags.
func parseTargetFlags(list []string) ([]flagTarget, error) {
	var targets []flagTarget
	var errs []error
	seen := map[string]bool{}
	for _, raw := range list {
		svc, addr, ok := strings.Cut(raw, "=")
		switch {
		case !ok || svc == "" || addr == "":
			errs = append(errs, fmt.Errorf("--target %q: want SERVICE=ADDRESS", raw))
			continue
		case seen[svc]:
			errs = append(errs, fmt.Errorf("--target %q: service %s has another --target", raw, svc))
			continue
		}
		seen[svc] = true
		if err := validateAddress(addr); err != nil {
			errs = append(errs, fmt.Errorf("--target %q: %v", raw, err))
			continue
		}
		targets = append(targets, flagTarget{raw: raw, service: svc, address: addr})
	}
	return targets, errors.Join(errs...)
}

// addressBook finds where a service runs, in the order the help text
// gives: --target; the file's entry for the service (its kind block,
// grpc_address or http_address, address); --http-addr (HTTP checks) and
// --addr; the file's default, the same way.
type addressBook struct {
	flags    []flagTarget
	file     *targetsFile
	addr     string
	httpAddr string
}

func (b addressBook) lookup(service string, kind Kind) (string, bool) {
	for _, t := range b.flags {
		if t.service == service {
			return t.address, true
		}
	}
	entries := b.file.entries(service)
	own := len(entries) > 0 && b.file.Services[service] != nil
	if own {
		if a := firstNonEmpty(entries[0].addresses(kind)...); a != "" {
			return a, true
		}
		entries = entries[1:]
	}
	if kind == KindHTTP && b.httpAddr != "" {
		return b.httpAddr, true
	}
	if b.addr != "" {
		return b.addr, true
	}
	for _, e := range entries {
		if a := firstNonEmpty(e.addresses(kind)...); a != "" {
			return a, true
		}
	}
	return "", false
}

// firstNonEmpty returns the first of its arguments that is not empty.
func firstNonEmpty(list ...string) string {
	for _, s := range list {
		if s != "" {
			return s
		}
	}
	return ""
}

// validateAddress checks an address to connect to: host:port, or a Unix
// socket as unix:/PATH or unix:///PATH.
func validateAddress(addr string) error {
	if strings.HasPrefix(addr, "unix:") {
		return validateUnixAddress(addr)
	}
	return validateHostPort(addr)
}

// validateUnixAddress checks a Unix socket address: unix:/PATH or
// unix:///PATH, with an absolute path.
func validateUnixAddress(addr string) error {
	if _, p := splitAddress(addr); p == "" || !path.IsAbs(p) {
		return fmt.Errorf("invalid address %q: want unix:/ABSOLUTE/PATH or unix:///ABSOLUTE/PATH", addr)
	}
	return nil
}

// validateHostPort checks a host:port address: a host, and a port number
// from 1 to 65535.
func validateHostPort(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("invalid address %q: want host:port", addr)
	}
	if host == "" {
		return fmt.Errorf("invalid address %q: no host", addr)
	}
	if strings.ContainsAny(host, "/ ") {
		return fmt.Errorf("invalid address %q: invalid host %q", addr, host)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("invalid address %q: port %q is not a number from 1 to 65535", addr, port)
	}
	return nil
}

// validateHTTPAddress checks an address for HTTP checks: host:port, a
// Unix socket, or an http or https URL with nothing after the host and
// port.
func validateHTTPAddress(addr string) error {
	if strings.HasPrefix(addr, "unix:") {
		return validateUnixAddress(addr)
	}
	if !strings.Contains(addr, "://") {
		return validateHostPort(addr)
	}
	u, err := url.Parse(addr)
	if err != nil {
		return fmt.Errorf("invalid URL %q: %v", addr, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("invalid URL %q: scheme must be http or https", addr)
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("invalid URL %q: no host", addr)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("invalid URL %q: want only scheme, host and port; the path comes from the registration or http.path", addr)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("invalid URL %q: port %q is not a number from 1 to 65535", addr, p)
		}
	}
	return nil
}

// validateMetadata checks a gRPC metadata pair as gRPC defines them: a
// key of lower-case letters, digits, "-", "_" and ".", not starting with
// "grpc-"; a value of printable ASCII, unless the key ends in "-bin".
func validateMetadata(key, value string) error {
	k := strings.ToLower(key)
	if k == "" || strings.IndexFunc(k, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
	}) >= 0 {
		return fmt.Errorf("invalid metadata key %q: want letters, digits, '-', '_' and '.'", key)
	}
	if strings.HasPrefix(k, "grpc-") {
		return fmt.Errorf("metadata key %q: grpc- keys are gRPC's own", key)
	}
	if !strings.HasSuffix(k, "-bin") && strings.IndexFunc(value, func(r rune) bool { return r < 0x20 || r > 0x7e }) >= 0 {
		return fmt.Errorf("invalid metadata value %q: want printable ASCII (or a key ending in -bin)", value)
	}
	return nil
}

// httpURL is the URL an HTTP check fetches: the address with its scheme
// (https for host:port, or a Unix socket, when useTLS) and the health
// path. A Unix socket's URL has the host localhost.
func httpURL(addr, healthPath string, useTLS bool) string {
	if strings.Contains(addr, "://") && !strings.HasPrefix(addr, "unix:") {
		return strings.TrimSuffix(addr, "/") + healthPath
	}
	scheme := "http"
	if useTLS {
		scheme = "https"
	}
	if strings.HasPrefix(addr, "unix:") {
		addr = "localhost"
	}
	return scheme + "://" + addr + healthPath
}

// mergeHeader returns base with the headers of blocks, the farthest
// first, set over it key by key; nil when no block has headers, to use
// the Checker's.
func mergeHeader(base http.Header, blocks ...*httpBlock) http.Header {
	var h http.Header
	for _, b := range blocks {
		if b == nil || b.header == nil {
			continue
		}
		if h == nil {
			h = base.Clone()
			if h == nil {
				h = http.Header{}
			}
		}
		for k, v := range b.header {
			h[k] = v
		}
	}
	return h
}

// mergeMetadata returns base with the metadata of blocks, the farthest
// first, set over it key by key; nil when no block has metadata, to use
// the Checker's.
func mergeMetadata(base metadata.MD, blocks ...*grpcBlock) metadata.MD {
	var md metadata.MD
	for _, b := range blocks {
		if b == nil || b.Metadata == nil {
			continue
		}
		if md == nil {
			md = base.Copy()
			if md == nil {
				md = metadata.MD{}
			}
		}
		for _, k := range sortedKeys(b.Metadata) {
			md.Set(k, b.Metadata[k])
		}
	}
	return md
}
