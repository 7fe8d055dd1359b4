#pragma once
/** The response's "Connection" tab: the TLS session and the peer's certificate chain, or "plain HTTP". */
#include <QWidget>
#include <memory>

#include "engine/tls/cert_info.h"

class QLabel;
class QTreeWidget;
class QTreeWidgetItem;

namespace sluice::ui {

/**
 * Shows what the engine says about a response's connection (tls::ConnectionInfo):
 * protocol version, cipher, ALPN, resumption, SNI, the verification result and, per
 * certificate of the peer's chain (leaf first), subject, issuer, SANs, validity,
 * SHA-256 fingerprint, key and signature algorithm. A plain HTTP response says so.
 */
class ConnectionDetails : public QWidget {
  Q_OBJECT
 public:
  explicit ConnectionDetails(QWidget* parent = nullptr);

  /** A response over TLS (info), or plain HTTP (nullptr) on connection #connectionId. */
  void show(std::shared_ptr<const tls::ConnectionInfo> info, quint64 connectionId);
  /** No response yet. */
  void clear();
  /** The value of a top-level field ("Protocol", "Cipher", "ALPN", "Session", "Verification", ...); empty if absent. */
  QString field(const QString& name) const;
  /** The value of a field of certificate index (0: the leaf), e.g. "SHA-256"; empty if absent. */
  QString certField(int index, const QString& name) const;
  int chainLength() const;
  /** Everything shown, as "name: value" lines (Copy). */
  QString text() const;
  const tls::ConnectionInfo* info() const { return info_.get(); }

 private:
  QTreeWidgetItem* addRow(QTreeWidgetItem* parent, const QString& name, const QString& value);
  void addCertificate(int index, const tls::CertInfo& c);

  std::shared_ptr<const tls::ConnectionInfo> info_;
  QLabel* headline_;
  QTreeWidget* tree_;
  QTreeWidgetItem* chain_ = nullptr;
  bool shown_ = false;
  quint64 shownId_ = 0;
};

}  // namespace sluice::ui
