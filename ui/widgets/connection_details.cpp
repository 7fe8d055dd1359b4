#include "ui/widgets/connection_details.h"

#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <functional>

namespace sluice::ui {

namespace {
QString fromStd(const std::string& s) { return QString::fromStdString(s); }
}  // namespace

ConnectionDetails::ConnectionDetails(QWidget* parent) : QWidget(parent) {
  auto* lay = new QVBoxLayout(this);
  lay->setContentsMargins(2, 2, 2, 2);
  auto* top = new QHBoxLayout;
  headline_ = new QLabel(this);
  headline_->setObjectName(QStringLiteral("connectionHeadline"));
  headline_->setWordWrap(true);
  headline_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* copy = new QPushButton(tr("Copy"), this);
  copy->setObjectName(QStringLiteral("copyConnectionButton"));
  copy->setToolTip(tr("Copy the connection details as text"));
  top->addWidget(headline_, 1);
  top->addWidget(copy, 0, Qt::AlignTop);
  tree_ = new QTreeWidget(this);
  tree_->setObjectName(QStringLiteral("connectionTree"));
  tree_->setColumnCount(2);
  tree_->setHeaderLabels({tr("Field"), tr("Value")});
  tree_->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
  tree_->setUniformRowHeights(true);
  tree_->setWordWrap(false);
  lay->addLayout(top);
  lay->addWidget(tree_, 1);
  connect(copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(text()); });
  clear();
}

void ConnectionDetails::clear() {
  info_.reset();
  shown_ = false;
  chain_ = nullptr;
  tree_->clear();
  tree_->hide();
  headline_->setText(tr("No response yet."));
}

QTreeWidgetItem* ConnectionDetails::addRow(QTreeWidgetItem* parent, const QString& name, const QString& value) {
  auto* item = parent ? new QTreeWidgetItem(parent) : new QTreeWidgetItem(tree_);
  item->setText(0, name);
  item->setText(1, value);
  item->setToolTip(1, value);
  return item;
}

void ConnectionDetails::show(std::shared_ptr<const tls::ConnectionInfo> info, quint64 connectionId) {
  if (shown_ && info == info_ && connectionId == shownId_) return;  // unchanged: nothing to redo
  clear();
  shown_ = true;
  shownId_ = connectionId;
  if (!info) {
    headline_->setText(tr("Plain HTTP on connection #%1: no TLS, so nothing is encrypted or authenticated.").arg(connectionId));
    return;
  }
  info_ = std::move(info);
  const tls::ConnectionInfo& i = *info_;
  QString verification = !i.verifyEnabled ? tr("off (-k): the peer was not checked")
                         : i.verified     ? tr("ok: the chain and the name check out")
                                          : tr("failed: %1").arg(fromStd(i.verifyResult));
  headline_->setText(tr("%1 · %2 · %3 on connection #%4")
                         .arg(fromStd(i.version), fromStd(i.cipher), i.resumed ? tr("session resumed") : tr("full handshake"))
                         .arg(connectionId));
  addRow(nullptr, tr("Protocol"), fromStd(i.version));
  addRow(nullptr, tr("Cipher"), fromStd(i.cipher));
  addRow(nullptr, tr("ALPN"), i.alpn.empty() ? tr("none agreed") : fromStd(i.alpn));
  addRow(nullptr, tr("Session"), i.resumed ? tr("resumed (abbreviated handshake)") : tr("full handshake"));
  addRow(nullptr, tr("SNI"), i.sni.empty() ? tr("not sent (an IP address)") : fromStd(i.sni));
  QTreeWidgetItem* v = addRow(nullptr, tr("Verification"), verification);
  if (i.verifyEnabled && !i.verified) v->setForeground(1, QColor(0xd0, 0x40, 0x40));
  if (!i.verifyEnabled) v->setForeground(1, QColor(0xe8, 0x89, 0x2b));
  chain_ = addRow(nullptr, tr("Peer chain"), tr("%n certificate(s), leaf first", nullptr, static_cast<int>(i.chain.size())));
  for (size_t k = 0; k < i.chain.size(); ++k) addCertificate(static_cast<int>(k), i.chain[k]);
  tree_->expandAll();
  tree_->show();
}

void ConnectionDetails::addCertificate(int index, const tls::CertInfo& c) {
  auto* cert = addRow(chain_, QStringLiteral("#%1").arg(index), fromStd(c.subject));
  QStringList sans;
  for (const auto& s : c.sans) sans << fromStd(s);
  addRow(cert, tr("Subject"), fromStd(c.subject));
  addRow(cert, tr("Issuer"), fromStd(c.issuer));
  addRow(cert, tr("SANs"), sans.isEmpty() ? tr("none") : sans.join(QStringLiteral(", ")));
  addRow(cert, tr("Valid from"), fromStd(c.notBefore));
  addRow(cert, tr("Valid until"), fromStd(c.notAfter));
  addRow(cert, tr("SHA-256"), fromStd(c.sha256));
  addRow(cert, tr("Key"), c.keyBits > 0 ? tr("%1, %2 bits").arg(fromStd(c.keyType)).arg(c.keyBits) : fromStd(c.keyType));
  addRow(cert, tr("Signature"), fromStd(c.signatureAlgorithm));
}

QString ConnectionDetails::field(const QString& name) const {
  for (int i = 0; i < tree_->topLevelItemCount(); ++i)
    if (tree_->topLevelItem(i)->text(0) == name) return tree_->topLevelItem(i)->text(1);
  return {};
}

int ConnectionDetails::chainLength() const { return chain_ ? chain_->childCount() : 0; }

QString ConnectionDetails::certField(int index, const QString& name) const {
  if (!chain_ || index < 0 || index >= chain_->childCount()) return {};
  QTreeWidgetItem* cert = chain_->child(index);
  for (int i = 0; i < cert->childCount(); ++i)
    if (cert->child(i)->text(0) == name) return cert->child(i)->text(1);
  return {};
}

QString ConnectionDetails::text() const {
  QStringList lines{headline_->text()};
  std::function<void(QTreeWidgetItem*, int)> walk = [&](QTreeWidgetItem* item, int depth) {
    lines << QString(depth * 2, QLatin1Char(' ')) + item->text(0) + QStringLiteral(": ") + item->text(1);
    for (int i = 0; i < item->childCount(); ++i) walk(item->child(i), depth + 1);
  };
  for (int i = 0; i < tree_->topLevelItemCount(); ++i) walk(tree_->topLevelItem(i), 0);
  return lines.join(QLatin1Char('\n'));
}

}  // namespace sluice::ui
