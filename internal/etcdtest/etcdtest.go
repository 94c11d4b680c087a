// Package etcdtest starts real etcd servers for tests: Debian's etcd-server
// package (etcd 3.4), /usr/bin/etcd or etcd on PATH, on free loopback ports
// with data in t.TempDir(). There is no mock: tests of the etcd backend run
// against the server users run.
//
// When no etcd binary is found the test fails, saying to run `make tools`,
// which installs it; it is never skipped, so that a machine without etcd
// cannot pass the suite by accident.
package etcdtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// startTimeout bounds how long a server or cluster may take to become
// healthy.
const startTimeout = 30 * time.Second

// Server is one etcd member.
type Server struct {
	extra   []string // more etcd flags
	name    string
	dataDir string
	client  string // http://127.0.0.1:PORT
	peer    string // http://127.0.0.1:PORT
	cluster string // --initial-cluster
	token   string
	bin     string
	logPath string
	mu      sync.Mutex
	cmd     *exec.Cmd
	done    chan struct{} // closed when cmd has exited
	logFile *os.File
}

// Cluster is n etcd members that know each other, on loopback.
type Cluster struct {
	members []*Server
}

// Binary returns the path of the etcd binary tests run, or an error that
// says how to install it.
func Binary() (string, error) {
	if _, err := os.Stat("/usr/bin/etcd"); err == nil {
		return "/usr/bin/etcd", nil
	}
	if p, err := exec.LookPath("etcd"); err == nil {
		return p, nil
	}
	return "", errors.New("etcd not found (neither /usr/bin/etcd nor etcd on PATH): run `make tools`, which installs Debian's etcd-server")
}

// Start starts one etcd and waits until it is healthy. It is stopped when
// the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartCluster(t, 1).members[0]
}

// StartWith is Start with more etcd flags, such as
// "--max-txn-ops=4096".
func StartWith(t testing.TB, flags ...string) *Server {
	t.Helper()
	return startCluster(t, 1, flags).members[0]
}

// StartCluster starts n etcd members that form one cluster and waits until
// every member is healthy. They are stopped when the test ends.
func StartCluster(t testing.TB, n int) *Cluster {
	t.Helper()
	return startCluster(t, n, nil)
}

func startCluster(t testing.TB, n int, flags []string) *Cluster {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		t.Fatal(err)
	}
	if n < 1 {
		t.Fatalf("etcdtest: cluster of %d members", n)
	}
	// A port found free may be taken before etcd binds it: then etcd
	// exits, and the cluster is tried again on other ports.
	for attempt := 1; attempt <= 3; attempt++ {
		var c *Cluster
		c, err = tryCluster(t, bin, n, flags, t.TempDir())
		if err == nil {
			return c
		}
		if !strings.Contains(err.Error(), "address already in use") {
			break
		}
		t.Logf("etcdtest: attempt %d: %v", attempt, err)
	}
	t.Fatal(err)
	return nil
}

func tryCluster(t testing.TB, bin string, n int, flags []string, dir string) (*Cluster, error) {
	ports := freePorts(t, 2*n)
	c := &Cluster{}
	var initial []string
	for i := range n {
		s := &Server{
			name:    fmt.Sprintf("m%d", i),
			dataDir: filepath.Join(dir, fmt.Sprintf("m%d.etcd", i)),
			client:  fmt.Sprintf("http://127.0.0.1:%d", ports[2*i]),
			peer:    fmt.Sprintf("http://127.0.0.1:%d", ports[2*i+1]),
			token:   fmt.Sprintf("etcdtest-%d", ports[0]),
			bin:     bin,
			logPath: filepath.Join(dir, fmt.Sprintf("m%d.log", i)),
			extra:   flags,
		}
		initial = append(initial, s.name+"="+s.peer)
		c.members = append(c.members, s)
	}
	for _, s := range c.members {
		s.cluster = strings.Join(initial, ",")
	}
	t.Cleanup(func() {
		for _, s := range c.members {
			s.kill()
		}
		if t.Failed() {
			for _, s := range c.members {
				s.dumpLog(t)
			}
		}
	})
	fail := func(err error) (*Cluster, error) {
		for _, s := range c.members {
			s.kill()
		}
		return nil, err
	}
	for _, s := range c.members {
		if err := s.start(); err != nil {
			return fail(err)
		}
	}
	for _, s := range c.members {
		if err := s.waitHealthy(startTimeout); err != nil {
			return fail(err)
		}
	}
	return c, nil
}

// Endpoints returns the client URLs of every member.
func (c *Cluster) Endpoints() []string {
	var eps []string
	for _, s := range c.members {
		eps = append(eps, s.client)
	}
	return eps
}

// Members returns the cluster's members, in the order of Endpoints.
func (c *Cluster) Members() []*Server { return c.members }

// Endpoints returns the server's client URL, as a list for clientv3.Config.
func (s *Server) Endpoints() []string { return []string{s.client} }

// Name returns the member's name in its cluster.
func (s *Server) Name() string { return s.name }

// Stop stops the server gracefully (SIGTERM, then SIGKILL after 10s) and
// waits for it to exit. Its data directory and ports stay for Restart.
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	if err := s.signalAndWait(syscall.SIGTERM, 10*time.Second); err != nil {
		t.Fatal(err)
	}
}

// Kill stops the server with SIGKILL and waits for it to exit.
func (s *Server) Kill(t testing.TB) {
	t.Helper()
	s.kill()
}

// Pause stops the server's process with SIGSTOP: its ports still accept
// connections but nothing answers, like a hung or partitioned machine.
// Resume continues it.
func (s *Server) Pause(t testing.TB) {
	t.Helper()
	s.signal(t, syscall.SIGSTOP)
}

// Resume continues a server stopped by Pause.
func (s *Server) Resume(t testing.TB) {
	t.Helper()
	s.signal(t, syscall.SIGCONT)
}

// Restart starts a stopped server again with the same data directory and
// ports, and waits until it is healthy. A member of a cluster is healthy
// once the cluster has a leader again.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.mu.Lock()
	running := s.cmd != nil
	s.mu.Unlock()
	if running {
		s.Stop(t)
	}
	if err := s.start(); err != nil {
		t.Fatal(err)
	}
	if err := s.waitHealthy(startTimeout); err != nil {
		t.Fatal(err)
	}
}

func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return fmt.Errorf("etcdtest: %s already running", s.name)
	}
	args := []string{
		"--name", s.name,
		"--data-dir", s.dataDir,
		"--listen-client-urls", s.client,
		"--advertise-client-urls", s.client,
		"--listen-peer-urls", s.peer,
		"--initial-advertise-peer-urls", s.peer,
		"--initial-cluster", s.cluster,
		"--initial-cluster-token", s.token,
		"--initial-cluster-state", "new",
		"--logger", "zap",
		"--log-outputs", "stderr",
		"--log-level", "error",
		// Tests want failures noticed fast on loopback.
		"--heartbeat-interval", "50",
		"--election-timeout", "500",
	}
	args = append(args, s.extra...)
	f, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(s.bin, args...)
	cmd.Stdout = f
	cmd.Stderr = f
	// etcd refuses to start on an unsupported architecture unless
	// ETCD_UNSUPPORTED_ARCH is set; tests must not set it by accident, and
	// must not inherit other ETCD_ settings that would change flags.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ETCD_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if cmd.Env == nil {
		cmd.Env = []string{}
	}
	if err := cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("etcdtest: starting %s: %v", s.bin, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		f.Close()
		close(done)
	}()
	s.cmd, s.done, s.logFile = cmd, done, f
	return nil
}

func (s *Server) waitHealthy(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	// No keep-alive: the probe leaves no connection (and no goroutine)
	// behind for tests that count goroutines.
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for {
		s.mu.Lock()
		done := s.done
		s.mu.Unlock()
		select {
		case <-done:
			return fmt.Errorf("etcdtest: %s exited while starting:\n%s", s.name, s.tail())
		default:
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.client+"/health", nil)
		if resp, err := client.Do(req); err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && bytes.Contains(body, []byte(`"true"`)) {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("etcdtest: %s not healthy after %v:\n%s", s.name, timeout, s.tail())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (s *Server) signal(t testing.TB, sig syscall.Signal) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		t.Fatalf("etcdtest: %s is not running", s.name)
	}
	if err := s.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("etcdtest: %s: %v", s.name, err)
	}
}

func (s *Server) signalAndWait(sig syscall.Signal, grace time.Duration) error {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.mu.Unlock()
	if cmd == nil {
		return nil
	}
	// A paused server would ignore SIGTERM until continued.
	_ = cmd.Process.Signal(syscall.SIGCONT)
	_ = cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(grace):
		_ = cmd.Process.Kill()
		<-done
	}
	s.mu.Lock()
	s.cmd, s.done = nil, nil
	s.mu.Unlock()
	return nil
}

func (s *Server) kill() { _ = s.signalAndWait(syscall.SIGKILL, 10*time.Second) }

func (s *Server) tail() string {
	b, _ := os.ReadFile(s.logPath)
	const max = 4000
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(b)
}

func (s *Server) dumpLog(t testing.TB) {
	if out := s.tail(); out != "" {
		t.Logf("etcd %s output (last 4000 bytes):\n%s", s.name, out)
	}
}

// freePorts returns n distinct loopback ports that were free a moment ago.
// Keeping every listener open until all are chosen keeps them distinct.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}
