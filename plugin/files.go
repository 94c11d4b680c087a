package plugin

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/ovasabi/protoc-gen-registration/internal/excerpt"
)

// maxConfigFileSize caps the files that parameters name (rule files,
// service configurations, allowlists): real ones are a few kilobytes, and
// googleapis' largest service configuration is well under a megabyte. A
// larger file is refused before it is read.
const maxConfigFileSize = 16 << 20

// readConfigFile reads the file that the parameter param names. Only a
// regular file (or a link to one) is read: a FIFO would block the plugin,
// and a device such as /dev/zero would never end. Every error names the
// parameter and the path: "parameter capability_rules=PATH: ...".
func readConfigFile(param, path string) ([]byte, error) {
	fail := func(msg string) error {
		return fmt.Errorf("parameter %s=%s: %s", param, excerpt.Plain(path), msg)
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, fail(osError(err))
	}
	if msg := notRegular(info); msg != "" {
		return nil, fail(msg)
	}
	data, msg := readRegular(path)
	if msg != "" {
		return nil, fail(msg)
	}
	return data, nil
}

// readRegular opens and reads path, checking again what was opened: the
// file may have been replaced since it was looked at. It opens without
// blocking (see openFlags), so that a FIFO put in its place is refused
// rather than waited on. It returns what went wrong as the end of a
// message.
func readRegular(path string) ([]byte, string) {
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, osError(err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, osError(err)
	}
	if msg := notRegular(info); msg != "" {
		return nil, msg
	}
	// Read one byte more than the cap, so that a file that grew past it
	// since Stat is refused too, without reading it whole.
	data, err := io.ReadAll(io.LimitReader(f, maxConfigFileSize+1))
	if err != nil {
		return nil, osError(err)
	}
	if len(data) > maxConfigFileSize {
		return nil, fmt.Sprintf("grew past the %d MiB a configuration file may have while it was read", maxConfigFileSize>>20)
	}
	return data, ""
}

// notRegular says why info is not a file to read, or returns "".
func notRegular(info fs.FileInfo) string {
	mode := info.Mode()
	if mode.IsRegular() {
		if info.Size() > maxConfigFileSize {
			return tooLarge(info.Size())
		}
		return ""
	}
	kind := "an irregular file"
	switch {
	case mode.IsDir():
		kind = "a directory"
	case mode&fs.ModeNamedPipe != 0:
		kind = "a named pipe"
	case mode&fs.ModeCharDevice != 0:
		kind = "a character device"
	case mode&fs.ModeDevice != 0:
		kind = "a device"
	case mode&fs.ModeSocket != 0:
		kind = "a socket"
	}
	return "not a regular file but " + kind
}

func tooLarge(size int64) string {
	return fmt.Sprintf("%d bytes, more than the %d MiB a configuration file may have", size, maxConfigFileSize>>20)
}

// osError is the reason of an os error without the operation and path it
// repeats: the message names the path already.
func osError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// checkOutputName refuses a name for an output file that does not stay in
// the output directory, as buf refuses a plugin's output (bufbuild/protoplugin
// validates every CodeGeneratorResponse.File name): an empty name, an
// absolute one, or one whose clean form starts with "../". It is stricter
// than buf in two ways, so that what is written does not depend on the
// platform or on who writes it: a name must already be clean (buf warns and
// cleans it), and a backslash, which is a separator on Windows and where
// buf on Windows would read "..\x" as leaving, is refused everywhere.
//
// source says where the name came from, such as the proto file, and is put
// in the message: `output file "../x.registration.json" (from ../x.proto)
// leaves the output directory`.
func checkOutputName(name, source string) error {
	why := ""
	clean := path.Clean(name)
	switch {
	case name == "":
		why = "is empty; want a file name"
	case path.IsAbs(name) || hasDriveLetter(name):
		why = "is absolute; want a path relative to the output directory"
	case strings.Contains(name, `\`):
		why = `contains a backslash, a path separator on Windows; want "/" between directories`
	case clean == ".." || strings.HasPrefix(clean, "../"):
		why = "leaves the output directory"
	case clean == "." || strings.HasSuffix(name, "/"):
		why = "names a directory, not a file"
	case clean != name:
		why = fmt.Sprintf("is not a clean path; want %s", excerpt.Quote(clean))
	default:
		return nil
	}
	from := ""
	if source != "" {
		from = " (from " + source + ")"
	}
	return fmt.Errorf("output file %s%s %s", excerpt.Quote(name), from, why)
}

// hasDriveLetter reports whether name starts with a Windows drive such as
// "C:", which makes it absolute there or relative to another directory.
func hasDriveLetter(name string) bool {
	return len(name) >= 2 && name[1] == ':' && ('a' <= name[0] && name[0] <= 'z' || 'A' <= name[0] && name[0] <= 'Z')
}
