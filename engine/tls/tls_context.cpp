#include "engine/tls/tls_context.h"

#include <openssl/err.h>
#include <csignal>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "engine/tls/tls_error.h"

namespace sluice::tls {

namespace {

int protoVersion(Version v) { return v == Version::k1_2 ? TLS1_2_VERSION : v == Version::k1_3 ? TLS1_3_VERSION : 0; }

Status applyCommon(SSL_CTX* ctx, const CommonSettings& s) {
  if (s.minVersion != Version::kDefault && s.maxVersion != Version::kDefault && s.maxVersion < s.minVersion)
    return sluice::unexpected(Error::make(ErrorCode::kInvalidArgument, std::string("TLS setup: the maximum version ") +
                                                                            versionName(s.maxVersion) + " is below the minimum " +
                                                                            versionName(s.minVersion)));
  if (!SSL_CTX_set_min_proto_version(ctx, protoVersion(s.minVersion)) || !SSL_CTX_set_max_proto_version(ctx, protoVersion(s.maxVersion)))
    return sluice::unexpected(setupError("cannot set the TLS version bounds"));
  if (!s.ciphers.empty() && SSL_CTX_set_cipher_list(ctx, s.ciphers.c_str()) != 1)
    return sluice::unexpected(setupError("no usable TLS 1.2 cipher in '" + s.ciphers + "' (see 'openssl ciphers')"));
  if (!s.tls13Ciphers.empty() && SSL_CTX_set_ciphersuites(ctx, s.tls13Ciphers.c_str()) != 1)
    return sluice::unexpected(setupError("no usable TLS 1.3 suite in '" + s.tls13Ciphers + "' (e.g. TLS_AES_128_GCM_SHA256)"));
  // The write buffer may move between retries (our output string grows), and a
  // write may complete in part, as with a plain socket.
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // No renegotiation: a read never has to wait for writability in the middle of a body.
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
  return {};
}

std::string alpnWire(const std::vector<std::string>& protos) {
  std::string wire;
  for (const auto& p : protos) {
    if (p.empty() || p.size() > 255) continue;
    wire += static_cast<char>(p.size());
    wire += p;
  }
  return wire;
}

int onNewSession(SSL* ssl, SSL_SESSION* session) {
  auto* ctx = static_cast<TlsContext*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  auto* origin = static_cast<const std::string*>(SSL_get_ex_data(ssl, TlsContext::originIndex()));
  if (!ctx || !origin) return 0;
  ctx->storeSession(*origin, session);
  return 1;  // we own it now
}

Status loadClientTrust(SSL_CTX* ctx, const ClientSettings& s) {
  if (!s.verify) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    return {};
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (s.caFile.empty() && s.caPath.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx) != 1) return sluice::unexpected(setupError("cannot load the system trust store"));
    return {};
  }
  if (SSL_CTX_load_verify_locations(ctx, s.caFile.empty() ? nullptr : s.caFile.c_str(), s.caPath.empty() ? nullptr : s.caPath.c_str()) != 1)
    return sluice::unexpected(setupError("cannot load the CA certificates from " + (s.caFile.empty() ? "directory '" + s.caPath + "'" : "'" + s.caFile + "'")));
  return {};
}

Status loadIdentity(SSL_CTX* ctx, const std::string& certFile, const std::string& keyFile) {
  if (certFile.empty()) return {};
  if (SSL_CTX_use_certificate_chain_file(ctx, certFile.c_str()) != 1)
    return sluice::unexpected(setupError("cannot load the certificate '" + certFile + "' (PEM expected)"));
  const std::string& key = keyFile.empty() ? certFile : keyFile;
  if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
    if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH)
      return sluice::unexpected(setupError("the key '" + key + "' does not match the certificate '" + certFile + "'"));
    return sluice::unexpected(setupError("cannot load the private key '" + key + "' (PEM, unencrypted expected)"));
  }
  if (SSL_CTX_check_private_key(ctx) != 1)
    return sluice::unexpected(setupError("the key '" + key + "' does not match the certificate '" + certFile + "'"));
  return {};
}

int selectAlpn(SSL*, const unsigned char** out, unsigned char* outLen, const unsigned char* in, unsigned inLen, void* arg) {
  auto* wire = static_cast<const std::string*>(arg);
  unsigned char* sel = nullptr;
  if (SSL_select_next_proto(&sel, outLen, reinterpret_cast<const unsigned char*>(wire->data()), static_cast<unsigned>(wire->size()), in,
                            inLen) != OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;  // no overlap: carry on without ALPN (RFC 7301 allows it for http/1.1)
  *out = sel;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

namespace {
// OpenSSL's socket BIO writes with write(2), not send(MSG_NOSIGNAL): a peer that has
// gone would raise SIGPIPE and kill the process. nginx and the plain server ignore it
// process-wide; so does every TLS context.
void ignoreSigpipe() {
  static const bool once = [] {
    std::signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)once;
}
}  // namespace

int TlsContext::originIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

TlsContext::~TlsContext() {
  for (auto& [origin, s] : sessions_) SSL_SESSION_free(s);
  SSL_CTX_free(ctx_);
}

Result<std::shared_ptr<TlsContext>> TlsContext::client(const ClientSettings& s) {
  ignoreSigpipe();
  ERR_clear_error();
  SSL_CTX* raw = SSL_CTX_new(TLS_client_method());
  if (!raw) return sluice::unexpected(setupError("cannot create a TLS client context"));
  std::shared_ptr<TlsContext> ctx(new TlsContext(raw, true, s.verify));
  if (auto st = applyCommon(raw, s); !st) return sluice::unexpected(st.error());
  if (auto st = loadClientTrust(raw, s); !st) return sluice::unexpected(st.error());
  if (auto st = loadIdentity(raw, s.certFile, s.keyFile); !st) return sluice::unexpected(st.error());
  std::string wire = alpnWire(s.alpn);
  if (!wire.empty() && SSL_CTX_set_alpn_protos(raw, reinterpret_cast<const unsigned char*>(wire.data()), static_cast<unsigned>(wire.size())) != 0)
    return sluice::unexpected(setupError("cannot set the ALPN protocols"));
  ctx->resumption_ = s.sessionResumption;
  SSL_CTX_set_app_data(raw, ctx.get());
  if (s.sessionResumption) {
    SSL_CTX_set_session_cache_mode(raw, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(raw, onNewSession);
  } else {
    SSL_CTX_set_session_cache_mode(raw, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(raw, SSL_OP_NO_TICKET);
  }
  return ctx;
}

Result<std::shared_ptr<TlsContext>> TlsContext::server(const ServerSettings& s) {
  ignoreSigpipe();
  ERR_clear_error();
  SSL_CTX* raw = SSL_CTX_new(TLS_server_method());
  if (!raw) return sluice::unexpected(setupError("cannot create a TLS server context"));
  std::shared_ptr<TlsContext> ctx(new TlsContext(raw, false, false));
  if (auto st = applyCommon(raw, s); !st) return sluice::unexpected(st.error());
  if (s.certFile.empty()) return sluice::unexpected(Error::make(ErrorCode::kInvalidArgument, "TLS setup: a server needs a certificate (--cert FILE --key FILE)"));
  if (auto st = loadIdentity(raw, s.certFile, s.keyFile); !st) return sluice::unexpected(st.error());
  // The ALPN wire list lives as long as the context (the callback reads it).
  ctx->alpnWire_ = alpnWire(s.alpn);
  if (!ctx->alpnWire_.empty()) SSL_CTX_set_alpn_select_cb(raw, selectAlpn, &ctx->alpnWire_);
  SSL_CTX_set_session_cache_mode(raw, SSL_SESS_CACHE_SERVER);
  SSL_CTX_set_session_id_context(raw, reinterpret_cast<const unsigned char*>("sluice"), 6);
  return ctx;
}

SSL_SESSION* TlsContext::sessionFor(const std::string& origin) const {
  auto it = sessions_.find(origin);
  return it == sessions_.end() ? nullptr : it->second;
}

void TlsContext::storeSession(const std::string& origin, SSL_SESSION* session) {
  auto& slot = sessions_[origin];
  if (slot) SSL_SESSION_free(slot);
  slot = session;
}

void TlsContext::forgetSession(const std::string& origin) {
  auto it = sessions_.find(origin);
  if (it == sessions_.end()) return;
  SSL_SESSION_free(it->second);
  sessions_.erase(it);
}

}  // namespace sluice::tls
