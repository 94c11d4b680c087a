package export

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"

	"github.com/ovasabi/protoc-gen-registration/health"
	"github.com/ovasabi/protoc-gen-registration/registration"
)

// consulService is the body of Consul's agent service registration (PUT
// /v1/agent/service/register): the fields of the Consul API's
// AgentServiceRegistration that an export sets, with its JSON names.
type consulService struct {
	ID      string            `json:"ID"`
	Name    string            `json:"Name"`
	Tags    []string          `json:"Tags,omitempty"`
	Address string            `json:"Address,omitempty"`
	Port    int               `json:"Port,omitempty"`
	Meta    map[string]string `json:"Meta,omitempty"`
	Checks  []consulCheck     `json:"Checks,omitempty"`
}

// consulCheck is the Consul API's AgentServiceCheck, as far as an export
// sets it.
type consulCheck struct {
	CheckID                string              `json:"CheckID"`
	Name                   string              `json:"Name"`
	Interval               string              `json:"Interval"`
	Timeout                string              `json:"Timeout,omitempty"`
	GRPC                   string              `json:"GRPC,omitempty"`
	GRPCUseTLS             bool                `json:"GRPCUseTLS,omitempty"`
	HTTP                   string              `json:"HTTP,omitempty"`
	Method                 string              `json:"Method,omitempty"`
	Header                 map[string][]string `json:"Header,omitempty"`
	TCP                    string              `json:"TCP,omitempty"`
	TCPUseTLS              bool                `json:"TCPUseTLS,omitempty"`
	TLSServerName          string              `json:"TLSServerName,omitempty"`
	TLSSkipVerify          bool                `json:"TLSSkipVerify,omitempty"`
	SuccessBeforePassing   int                 `json:"SuccessBeforePassing,omitempty"`
	FailuresBeforeCritical int                 `json:"FailuresBeforeCritical,omitempty"`
}

func consulDocuments(services []*registration.Service, o Options) ([]Document, error) {
	if o.Checks == nil {
		return nil, errors.New("consul: no checks planned")
	}
	var docs []Document
	var errs []error
	for _, s := range services {
		svc, err := consulRegistration(s, o.Checks, o.Defaults, o.ShortenNames)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		data, err := encodeJSON(svc)
		if err != nil {
			return nil, err
		}
		docs = append(docs, Document{Service: s.Name, File: svc.Name + ".json", Data: data})
	}
	if err := uniqueFiles(docs); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return docs, nil
}

// consulRegistration is a service's Consul registration: named by
// DNSLabel, so that Consul's DNS interface can look it up, with the
// service's address and port (its gRPC check's, else its first check's)
// and one check per planned check.
func consulRegistration(s *registration.Service, checks *Checks, d CheckDefaults, shorten bool) (*consulService, error) {
	name, err := DNSLabel(s.Name, shorten)
	if err != nil {
		return nil, err
	}
	planned := checks.ByService[s.Name]
	if len(planned) == 0 {
		return nil, fmt.Errorf("service %s: no health check planned", s.Name)
	}
	svc := &consulService{
		ID:   name,
		Name: name,
		Tags: Tags(append(slices.Clone(s.Tags), capabilityNames(s)...), Consul),
		Meta: map[string]string{"grpc_service": s.Name},
	}
	if s.Version != "" {
		svc.Meta["version"] = s.Version
	}
	if s.Owner != "" {
		svc.Meta["owner"] = s.Owner
	}
	addressFrom := planned[0]
	for _, ch := range planned {
		if ch.Kind == health.KindGRPC {
			addressFrom = ch
			break
		}
	}
	if svc.Address, svc.Port, err = hostPort(s.Name, addressFrom); err != nil {
		return nil, err
	}
	for _, ch := range planned {
		c, err := consulCheckOf(s, name, ch, checks, d)
		if err != nil {
			return nil, err
		}
		svc.Checks = append(svc.Checks, c)
	}
	return svc, nil
}

func consulCheckOf(s *registration.Service, name string, ch health.Check, checks *Checks, d CheckDefaults) (consulCheck, error) {
	host, port, err := hostPort(s.Name, ch)
	if err != nil {
		return consulCheck{}, err
	}
	interval, failures, successes := d.settings(ch)
	c := consulCheck{
		CheckID:                name + ":" + string(ch.Kind),
		Interval:               interval.String(),
		Timeout:                checks.timeout(ch).String(),
		SuccessBeforePassing:   successes,
		FailuresBeforeCritical: failures,
	}
	hp := net.JoinHostPort(host, fmt.Sprint(port))
	switch ch.Kind {
	case health.KindGRPC:
		c.Name = "gRPC health of " + ch.GRPCService
		c.GRPC = hp + "/" + ch.GRPCService
		c.GRPCUseTLS = ch.TLS != nil
	case health.KindHTTP:
		c.Name = "HTTP health of " + s.Name
		c.HTTP = ch.URL
		if ch.Method != "" && ch.Method != http.MethodGet {
			c.Method = ch.Method
		}
		c.Header = consulHeader(ch)
	case health.KindTCP:
		c.Name = "TCP connection to " + s.Name
		c.TCP = hp
		c.TCPUseTLS = ch.TLS != nil
	default:
		return consulCheck{}, fmt.Errorf("service %s: a %s check has no Consul equivalent", s.Name, ch.Kind)
	}
	if ch.TLS != nil && (ch.Kind != health.KindHTTP || strings.HasPrefix(ch.URL, "https://")) {
		c.TLSServerName = ch.TLS.ServerName
		c.TLSSkipVerify = ch.TLS.InsecureSkipVerify
	}
	return c, nil
}

// consulHeader is an HTTP check's headers, Host among them, as Consul
// takes them; nil for none.
func consulHeader(ch health.Check) map[string][]string {
	h := map[string][]string{}
	for k, v := range ch.Header {
		h[k] = slices.Clone(v)
	}
	if ch.Host != "" {
		h["Host"] = []string{ch.Host}
	}
	if len(h) == 0 {
		return nil
	}
	return h
}

// capabilityNames are a service's capability names, in their order.
func capabilityNames(s *registration.Service) []string {
	names := make([]string, len(s.Capabilities))
	for i, c := range s.Capabilities {
		names[i] = c.Name
	}
	return names
}
