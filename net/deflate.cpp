#include "net/deflate.h"

#include <zlib.h>

namespace mf::net {

struct DeflateStreams::Streams {
  z_stream out{};
  z_stream in{};
  bool ok = false;
};

DeflateStreams::DeflateStreams() : z_(std::make_unique<Streams>()) {
  // -15: raw deflate with a 32 KB window, as RFC 4978 §3 asks.
  z_->ok = deflateInit2(&z_->out, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK &&
           inflateInit2(&z_->in, -15) == Z_OK;
}

DeflateStreams::~DeflateStreams() {
  deflateEnd(&z_->out);
  inflateEnd(&z_->in);
}

Result<void> DeflateStreams::compress(std::string_view plain, std::string& out) {
  if (!z_->ok) return make_error(Errc::Io, "zlib could not be initialised");
  z_->out.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  z_->out.avail_in = static_cast<uInt>(plain.size());
  char chunk[16384];
  do {
    z_->out.next_out = reinterpret_cast<Bytef*>(chunk);
    z_->out.avail_out = sizeof chunk;
    if (deflate(&z_->out, Z_SYNC_FLUSH) == Z_STREAM_ERROR) return make_error(Errc::Io, "deflate failed");
    out.append(chunk, sizeof chunk - z_->out.avail_out);
  } while (z_->out.avail_out == 0);
  return {};
}

Result<void> DeflateStreams::decompress(std::string_view compressed, std::string& out) {
  if (!z_->ok) return make_error(Errc::Io, "zlib could not be initialised");
  z_->in.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z_->in.avail_in = static_cast<uInt>(compressed.size());
  char chunk[65536];
  while (z_->in.avail_in > 0) {
    z_->in.next_out = reinterpret_cast<Bytef*>(chunk);
    z_->in.avail_out = sizeof chunk;
    int rc = inflate(&z_->in, Z_SYNC_FLUSH);
    if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END)
      return make_error(Errc::Protocol, std::string("the server's compressed stream is corrupt: ") +
                                            (z_->in.msg ? z_->in.msg : "inflate failed"));
    out.append(chunk, sizeof chunk - z_->in.avail_out);
    if (rc == Z_STREAM_END || (rc == Z_BUF_ERROR && z_->in.avail_out != 0)) break;
  }
  return {};
}

}  // namespace mf::net
