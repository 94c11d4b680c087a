package health

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// loadTLSConfig builds the client TLS configuration of --tls and the
// --tls-* flags, reading and checking every file it names. It serves the
// gRPC and HTTP checks that the targets file gives no tls settings for.
func loadTLSConfig(c *Config) (*tls.Config, error) {
	return loadTLS(c.TLSCACert, c.TLSClientCert, c.TLSClientKey, c.TLSServerName, c.TLSNoVerify,
		tlsNames{ca: "--tls-ca-cert", cert: "--tls-client-cert", key: "--tls-client-key"})
}

// tlsNames are how errors name the settings of a TLS configuration: by
// their flags, or by their key paths in the targets file.
type tlsNames struct {
	ca, cert, key string
}

// loadTLS builds a client TLS configuration: caFile's certificates as the
// roots (the system's when empty), a client certificate when certFile and
// keyFile are given (both or neither), serverName to verify the server
// against, and no verification at all when insecure. It reads and checks
// every file, and reports every problem.
func loadTLS(caFile, certFile, keyFile, serverName string, insecure bool, names tlsNames) (*tls.Config, error) {
	cfg := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         serverName,
		InsecureSkipVerify: insecure, // only on request: --tls-no-verify or insecure: true
	}
	var errs []error
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s: %w", names.ca, err))
		default:
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				errs = append(errs, fmt.Errorf("%s %s: no PEM certificate in the file", names.ca, caFile))
			}
			cfg.RootCAs = pool
		}
	}
	switch {
	case certFile != "" && keyFile != "":
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %s, %s %s: %v", names.cert, certFile, names.key, keyFile, err))
		}
		cfg.Certificates = []tls.Certificate{cert}
	case certFile != "":
		errs = append(errs, fmt.Errorf("%s needs %s", names.cert, names.key))
	case keyFile != "":
		errs = append(errs, fmt.Errorf("%s needs %s", names.key, names.cert))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return cfg, nil
}
