#include "ui/widgets/tls_options_editor.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>

namespace sluice::ui {

namespace {

QComboBox* versionCombo(QWidget* parent, const char* name, const QString& defaultText) {
  auto* c = new QComboBox(parent);
  c->setObjectName(QLatin1String(name));
  c->addItem(defaultText, QString());
  c->addItem(QStringLiteral("TLS 1.2"), QStringLiteral("1.2"));
  c->addItem(QStringLiteral("TLS 1.3"), QStringLiteral("1.3"));
  return c;
}

void selectVersion(QComboBox* c, const QString& v) {
  int i = c->findData(v.trimmed());
  c->setCurrentIndex(i < 0 ? 0 : i);
}

}  // namespace

TlsOptionsEditor::TlsOptionsEditor(QWidget* parent) : QWidget(parent) {
  auto* form = new QFormLayout(this);
  verify_ = new QCheckBox(tr("Verify the peer's certificate and name (off: curl -k / --insecure)"), this);
  verify_->setObjectName(QStringLiteral("tlsVerifyCheck"));
  verify_->setChecked(true);
  QLayout* caFileRow = nullptr;
  QLayout* caPathRow = nullptr;
  QLayout* certRow = nullptr;
  QLayout* keyRow = nullptr;
  caFile_ = pathEdit("tlsCaFileEdit", tr("--cacert: system trust store"), false, caFileRow);
  caPath_ = pathEdit("tlsCaPathEdit", tr("--capath: none"), true, caPathRow);
  cert_ = pathEdit("tlsCertEdit", tr("--cert: no client certificate"), false, certRow);
  key_ = pathEdit("tlsKeyEdit", tr("--key: in the certificate file"), false, keyRow);
  min_ = versionCombo(this, "tlsMinCombo", tr("1.2 (default)"));
  max_ = versionCombo(this, "tlsMaxCombo", tr("no bound"));
  auto* versions = new QHBoxLayout;
  versions->addWidget(min_);
  versions->addWidget(max_);
  versions->addStretch(1);
  ciphers_ = new QLineEdit(this);
  ciphers_->setObjectName(QStringLiteral("tlsCiphersEdit"));
  ciphers_->setPlaceholderText(tr("--ciphers (TLS 1.2, OpenSSL syntax): OpenSSL's default"));
  tls13Ciphers_ = new QLineEdit(this);
  tls13Ciphers_->setObjectName(QStringLiteral("tls13CiphersEdit"));
  tls13Ciphers_->setPlaceholderText(tr("--tls13-ciphers: OpenSSL's default"));
  form->addRow(verify_);
  form->addRow(tr("CA file"), caFileRow);
  form->addRow(tr("CA folder"), caPathRow);
  form->addRow(tr("Client cert"), certRow);
  form->addRow(tr("Client key"), keyRow);
  form->addRow(tr("TLS min / max"), versions);
  form->addRow(tr("TLS 1.2 ciphers"), ciphers_);
  form->addRow(tr("TLS 1.3 suites"), tls13Ciphers_);
  connect(verify_, &QCheckBox::toggled, this, &TlsOptionsEditor::changed);
  for (QLineEdit* e : {caFile_, caPath_, cert_, key_, ciphers_, tls13Ciphers_}) connect(e, &QLineEdit::textChanged, this, &TlsOptionsEditor::changed);
  for (QComboBox* c : {min_, max_}) connect(c, &QComboBox::currentIndexChanged, this, &TlsOptionsEditor::changed);
}

QLineEdit* TlsOptionsEditor::pathEdit(const char* name, const QString& placeholder, bool folder, QLayout*& row) {
  auto* edit = new QLineEdit(this);
  edit->setObjectName(QLatin1String(name));
  edit->setPlaceholderText(placeholder);
  auto* browse = new QPushButton(tr("…"), this);
  browse->setToolTip(folder ? tr("Choose a folder") : tr("Choose a PEM file"));
  connect(browse, &QPushButton::clicked, this, [this, edit, folder] {
    QString p = folder ? QFileDialog::getExistingDirectory(this, tr("CA folder")) : QFileDialog::getOpenFileName(this, tr("PEM file"));
    if (!p.isEmpty()) edit->setText(p);
  });
  auto* h = new QHBoxLayout;
  h->addWidget(edit, 1);
  h->addWidget(browse);
  row = h;
  return edit;
}

TlsOptions TlsOptionsEditor::options() const {
  TlsOptions o;
  o.verify = verify_->isChecked();
  o.caFile = caFile_->text().trimmed();
  o.caPath = caPath_->text().trimmed();
  o.clientCert = cert_->text().trimmed();
  o.clientKey = key_->text().trimmed();
  o.minVersion = min_->currentData().toString();
  o.maxVersion = max_->currentData().toString();
  o.ciphers = ciphers_->text().trimmed();
  o.tls13Ciphers = tls13Ciphers_->text().trimmed();
  return o;
}

void TlsOptionsEditor::setOptions(const TlsOptions& o) {
  verify_->setChecked(o.verify);
  caFile_->setText(o.caFile);
  caPath_->setText(o.caPath);
  cert_->setText(o.clientCert);
  key_->setText(o.clientKey);
  selectVersion(min_, o.minVersion);
  selectVersion(max_, o.maxVersion);
  ciphers_->setText(o.ciphers);
  tls13Ciphers_->setText(o.tls13Ciphers);
}

}  // namespace sluice::ui
