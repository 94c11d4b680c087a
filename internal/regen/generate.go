package regen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxLog bounds how much of a command's output is kept.
const maxLog = 1 << 20

// Generation is one successful run, staged and not yet applied.
type Generation struct {
	g *Generator
	// Root is the staging directory; the output directory D was generated
	// as Root/D.
	Root string
	// Log is what the command printed (stdout and stderr): warnings.
	Log []byte
	// Duration is how long the command ran.
	Duration time.Duration
}

// GenerateError is a generation run that failed. Its Error includes the
// command's output, which for protoc and buf names the file and line.
type GenerateError struct {
	// Command is the command as Describe returns it.
	Command string
	// Output is what the command printed.
	Output []byte
	// Err is the cause: an *exec.ExitError, context.DeadlineExceeded for a
	// run that timed out, context.Canceled for a cancelled one.
	Err error
	// Timeout is the bound a timed-out run exceeded.
	Timeout time.Duration
	// NotFound reports a shell that could not find the command (exit 127).
	NotFound bool
}

func (e *GenerateError) Error() string {
	var b strings.Builder
	switch {
	case errors.Is(e.Err, context.DeadlineExceeded):
		fmt.Fprintf(&b, "%s: timed out after %v and was stopped", e.Command, e.Timeout)
	case errors.Is(e.Err, context.Canceled):
		fmt.Fprintf(&b, "%s: cancelled", e.Command)
	case e.NotFound:
		fmt.Fprintf(&b, "%s: command not found (exit status 127)", e.Command)
	default:
		fmt.Fprintf(&b, "%s: %v", e.Command, e.Err)
	}
	if out := bytes.TrimRight(e.Output, "\n"); len(out) > 0 {
		b.WriteString("\n")
		b.Write(out)
	}
	return b.String()
}

func (e *GenerateError) Unwrap() error { return e.Err }

// Generate runs the generation into a new staging directory. On success the
// caller must Apply or Discard the Generation. On failure the staging
// directory is already removed and the working tree was not touched; the
// error is a *GenerateError when the command ran and failed.
func (g *Generator) Generate(ctx context.Context) (*Generation, error) {
	if err := g.CheckTool(); err != nil {
		return nil, err
	}
	if err := g.prepareState(); err != nil {
		return nil, err
	}
	root, err := os.MkdirTemp(g.state, fmt.Sprintf("staging-%d-", os.Getpid()))
	if err != nil {
		return nil, fmt.Errorf("state directory: %w", err)
	}
	gen := &Generation{g: g, Root: root}
	for _, o := range g.outputs {
		// protoc writes into existing directories only.
		if err := os.MkdirAll(filepath.Join(root, o), 0o755); err != nil {
			os.RemoveAll(root)
			return nil, fmt.Errorf("state directory: %w", err)
		}
	}
	var cmd *exec.Cmd
	rctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	if g.command == "" {
		cmd = exec.CommandContext(rctx, g.buf, "generate", "--template", g.template, "-o", root)
	} else {
		line := strings.ReplaceAll(g.command, OutPlaceholder, shellQuote(root))
		cmd = exec.CommandContext(rctx, "/bin/sh", "-c", line)
	}
	cmd.Dir = g.dir
	cmd.Env = append(os.Environ(), OutEnv+"="+root)
	var log limitedBuffer
	cmd.Stdout = &log
	cmd.Stderr = &log
	// The command and everything it starts (buf's plugins, a shell's
	// children) share a process group, so that a timeout or a cancel stops
	// all of them and none keeps writing into a staging directory.
	setProcessGroup(cmd)
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	err = cmd.Run()
	gen.Duration = time.Since(start)
	gen.Log = log.Bytes()
	if err != nil {
		os.RemoveAll(root)
		gerr := &GenerateError{Command: g.Describe(), Output: gen.Log, Err: err, Timeout: g.timeout}
		if ctxErr := rctx.Err(); ctxErr != nil {
			gerr.Err = ctxErr
			if ctx.Err() != nil {
				gerr.Err = ctx.Err()
			}
		}
		var exit *exec.ExitError
		if g.command != "" && errors.As(err, &exit) && exit.ExitCode() == 127 {
			gerr.NotFound = true
		}
		return nil, gerr
	}
	for _, o := range g.outputs {
		// An output that the run did not write (or that buf's clean: true
		// removed) is an empty output.
		if err := os.MkdirAll(filepath.Join(root, o), 0o755); err != nil {
			os.RemoveAll(root)
			return nil, err
		}
	}
	return gen, nil
}

// Tree reads the staged output directories.
func (gen *Generation) Tree() (Tree, error) {
	return ReadTree(gen.Root, gen.g.outputs)
}

// Discard removes the staging directory.
func (gen *Generation) Discard() error {
	return os.RemoveAll(gen.Root)
}

// prepareState creates the state directory with its .gitignore and removes
// staging directories that processes which no longer run left behind.
func (g *Generator) prepareState() error {
	if err := os.MkdirAll(g.state, 0o755); err != nil {
		return fmt.Errorf("state directory: %w", err)
	}
	ignore := filepath.Join(g.state, ".gitignore")
	if _, err := os.Stat(ignore); errors.Is(err, os.ErrNotExist) {
		if err := os.WriteFile(ignore, []byte("# Written by registration watch and check: staging and the previous generation.\n*\n"), 0o644); err != nil {
			return fmt.Errorf("state directory: %w", err)
		}
	}
	entries, err := os.ReadDir(g.state)
	if err != nil {
		return fmt.Errorf("state directory: %w", err)
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), "staging-")
		if !ok {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		if pid, err := strconv.Atoi(pidText); err == nil && pid != os.Getpid() && !processAlive(pid) {
			os.RemoveAll(filepath.Join(g.state, e.Name()))
		}
	}
	return nil
}

// shellQuote quotes s for sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// limitedBuffer keeps the first maxLog bytes written to it; the command's
// stdout and stderr write to it from two goroutines.
type limitedBuffer struct {
	mu        sync.Mutex
	buf       bytes.Buffer
	truncated bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := maxLog - b.buf.Len(); room < len(p) {
		b.buf.Write(p[:max(room, 0)])
		b.truncated = true
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *limitedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := bytes.Clone(b.buf.Bytes())
	if b.truncated {
		out = append(out, "\n[output truncated]\n"...)
	}
	return out
}
