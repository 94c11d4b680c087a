package health

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// loadTLSConfig builds the client TLS configuration of --tls and the
// --tls-* flags, reading and checking every file it names. The same
// configuration serves gRPC and HTTP checks.
func loadTLSConfig(c *Config) (*tls.Config, error) {
	cfg := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         c.TLSServerName,
		InsecureSkipVerify: c.TLSNoVerify, // only on request: --tls-no-verify
	}
	var errs []error
	if c.TLSCACert != "" {
		pem, err := os.ReadFile(c.TLSCACert)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("--tls-ca-cert: %w", err))
		default:
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				errs = append(errs, fmt.Errorf("--tls-ca-cert %s: no PEM certificate in the file", c.TLSCACert))
			}
			cfg.RootCAs = pool
		}
	}
	switch {
	case c.TLSClientCert != "" && c.TLSClientKey != "":
		cert, err := tls.LoadX509KeyPair(c.TLSClientCert, c.TLSClientKey)
		if err != nil {
			errs = append(errs, fmt.Errorf("--tls-client-cert %s, --tls-client-key %s: %v", c.TLSClientCert, c.TLSClientKey, err))
		}
		cfg.Certificates = []tls.Certificate{cert}
	case c.TLSClientCert != "":
		errs = append(errs, errors.New("--tls-client-cert needs --tls-client-key"))
	case c.TLSClientKey != "":
		errs = append(errs, errors.New("--tls-client-key needs --tls-client-cert"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return cfg, nil
}
