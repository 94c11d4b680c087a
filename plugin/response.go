package plugin

import (
	"bufio"
	"io"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/types/pluginpb"
)

// Field numbers of plugin.proto's CodeGeneratorResponse and its File.
const (
	responseErrorField    = 1
	responseFeaturesField = 2
	responseMinEdField    = 3
	responseMaxEdField    = 4
	responseFileField     = 15
	fileNameField         = 1
	fileContentField      = 15
)

// WriteResponse runs the plugin on req like Generate and writes the encoded
// CodeGeneratorResponse to w. It consumes req: its proto_file may be
// released once linked, to keep peak memory down on large requests.
//
// It encodes one file at a time into a reused buffer and writes it out, so
// that the response is never held in memory whole: on large requests,
// building the response message and then marshaling it costs twice the size
// of the output. The bytes are what proto.Marshal gives for Generate's
// response.
func WriteResponse(w io.Writer, req *pluginpb.CodeGeneratorRequest, warnings io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	files, err := generate(req, warnings, true)
	var head []byte
	if err != nil {
		head = protowire.AppendTag(head, responseErrorField, protowire.BytesType)
		head = protowire.AppendString(head, err.Error())
	}
	resp := newResponse()
	head = protowire.AppendTag(head, responseFeaturesField, protowire.VarintType)
	head = protowire.AppendVarint(head, resp.GetSupportedFeatures())
	head = protowire.AppendTag(head, responseMinEdField, protowire.VarintType)
	head = protowire.AppendVarint(head, uint64(resp.GetMinimumEdition()))
	head = protowire.AppendTag(head, responseMaxEdField, protowire.VarintType)
	head = protowire.AppendVarint(head, uint64(resp.GetMaximumEdition()))
	if _, err := bw.Write(head); err != nil {
		return err
	}
	var content, frame []byte
	for _, f := range files {
		if content, err = f.encode(content[:0]); err != nil {
			return err
		}
		size := protowire.SizeTag(fileNameField) + protowire.SizeBytes(len(f.name)) +
			protowire.SizeTag(fileContentField) + protowire.SizeBytes(len(content))
		frame = protowire.AppendTag(frame[:0], responseFileField, protowire.BytesType)
		frame = protowire.AppendVarint(frame, uint64(size))
		frame = protowire.AppendTag(frame, fileNameField, protowire.BytesType)
		frame = protowire.AppendString(frame, f.name)
		frame = protowire.AppendTag(frame, fileContentField, protowire.BytesType)
		frame = protowire.AppendVarint(frame, uint64(len(content)))
		if _, err := bw.Write(frame); err != nil {
			return err
		}
		if _, err := bw.Write(content); err != nil {
			return err
		}
	}
	return bw.Flush()
}
