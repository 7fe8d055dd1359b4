#include "ui/panels/request_panel.h"

#include <algorithm>
#include <QApplication>
#include <QButtonGroup>
#include <QDoubleSpinBox>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

#include "ui/bridge/client_bridge.h"
#include "ui/requests/curl_command.h"
#include "ui/bridge/transfer.h"
#include "ui/models/history_model.h"
#include "ui/panels/response_view.h"
#include "ui/widgets/headers_editor.h"
#include "ui/widgets/tls_options_editor.h"
#include "ui/widgets/stream_view.h"

namespace sluice::ui {

RequestPanel::RequestPanel(ClientBridge* bridge, HistoryModel* history, QWidget* parent)
    : QWidget(parent), bridge_(bridge), history_(history) {
  setObjectName(QStringLiteral("requestPanel"));
  auto* lay = new QVBoxLayout(this);
  lay->setContentsMargins(6, 6, 6, 6);
  lay->addWidget(buildUrlRow());
  tabs_ = new QTabWidget(this);
  tabs_->setObjectName(QStringLiteral("composerTabs"));
  tabs_->addTab(buildHeadersTab(), tr("Headers"));
  tabs_->addTab(buildBodyTab(), tr("Body"));
  tabs_->addTab(buildConnectionTab(), tr("Connection"));
  tabs_->addTab(buildTlsTab(), tr("TLS"));
  tabs_->setMinimumHeight(110);
  response_ = new ResponseView(this);
  auto* split = new QSplitter(Qt::Vertical, this);
  split->addWidget(tabs_);
  split->addWidget(response_);
  split->setStretchFactor(0, 2);
  split->setStretchFactor(1, 5);
  split->setSizes({160, 400});
  split->setChildrenCollapsible(false);
  lay->addWidget(split, 1);
  saver_ = new BodySaver(this);
  connect(saver_, &BodySaver::message, this, &RequestPanel::showComposerMessage);
  connect(response_, &ResponseView::saveBodyRequested, this, [this] { saveBodyAs(); });
  connect(response_, &ResponseView::finished, this, [this] { cancel_->setEnabled(false); });
  for (auto key : {Qt::Key_Return, Qt::Key_Enter}) {
    auto* sc = new QShortcut(QKeySequence(Qt::CTRL | key), this);
    sc->setContext(Qt::WindowShortcut);
    connect(sc, &QShortcut::activated, this, &RequestPanel::send);
  }
}

QWidget* RequestPanel::buildUrlRow() {
  auto* w = new QWidget(this);
  auto* row = new QHBoxLayout(w);
  row->setContentsMargins(0, 0, 0, 0);
  method_ = new QComboBox(w);
  method_->setObjectName(QStringLiteral("methodCombo"));
  method_->setEditable(true);
  method_->addItems({"GET", "HEAD", "PUT", "POST", "PATCH", "DELETE", "OPTIONS"});
  url_ = new QLineEdit(w);
  url_->setObjectName(QStringLiteral("urlEdit"));
  url_->setPlaceholderText(tr("http://127.0.0.1:8080/bytes/1048576"));
  url_->setClearButtonEnabled(true);
  connect(url_, &QLineEdit::returnPressed, this, &RequestPanel::send);
  // As an address bar does: what was typed is shown percent-encoded, as it will be sent.
  connect(url_, &QLineEdit::editingFinished, this, [this] {
    QString encoded = encodeTypedUrl(url_->text());
    if (encoded != url_->text()) url_->setText(encoded);
  });
  send_ = new QPushButton(tr("Send"), w);
  send_->setObjectName(QStringLiteral("sendButton"));
  send_->setToolTip(tr("Send the request (Ctrl+Enter)"));
  send_->setDefault(true);
  cancel_ = new QPushButton(tr("Cancel"), w);
  cancel_->setObjectName(QStringLiteral("cancelButton"));
  cancel_->setEnabled(false);
  cancel_->setToolTip(tr("Abort the transfer: its connection is closed, not pooled"));
  auto* import = new QPushButton(tr("Import curl…"), w);
  import->setObjectName(QStringLiteral("importCurlButton"));
  auto* copy = new QPushButton(tr("Copy as curl"), w);
  copy->setObjectName(QStringLiteral("copyCurlButton"));
  row->addWidget(method_);
  row->addWidget(url_, 1);
  row->addWidget(send_);
  row->addWidget(cancel_);
  row->addWidget(import);
  row->addWidget(copy);
  connect(send_, &QPushButton::clicked, this, &RequestPanel::send);
  connect(cancel_, &QPushButton::clicked, this, &RequestPanel::cancel);
  connect(import, &QPushButton::clicked, this, &RequestPanel::showImportDialog);
  connect(copy, &QPushButton::clicked, this, &RequestPanel::copyAsCurl);
  auto* outer = new QWidget(this);
  auto* v = new QVBoxLayout(outer);
  v->setContentsMargins(0, 0, 0, 0);
  v->setSpacing(2);
  v->addWidget(w);
  message_ = new QLabel(outer);
  message_->setObjectName(QStringLiteral("composerMessage"));
  message_->setWordWrap(true);
  message_->hide();
  v->addWidget(message_);
  // Orange, above the tabs: whatever tab is open, an unauthenticated peer is never silent.
  tlsWarning_ = new QLabel(tr("⚠ TLS verification is off: the peer is not authenticated (curl -k)"), outer);
  tlsWarning_->setObjectName(QStringLiteral("tlsWarning"));
  tlsWarning_->setStyleSheet(QStringLiteral("QLabel { background: #e8892b; color: black; padding: 3px 6px; border-radius: 3px; }"));
  tlsWarning_->hide();
  v->addWidget(tlsWarning_);
  return outer;
}

QWidget* RequestPanel::buildHeadersTab() {
  auto* w = new QWidget(this);
  auto* lay = new QVBoxLayout(w);
  lay->setContentsMargins(2, 2, 2, 2);
  headers_ = new HeadersEditor(w);
  headers_->setObjectName(QStringLiteral("headersTable"));
  headers_->setHeaderRows({{true, QStringLiteral("Accept"), QStringLiteral("*/*")}});
  auto* row = new QHBoxLayout;
  auto* add = new QPushButton(tr("Add header"), w);
  add->setObjectName(QStringLiteral("addHeaderButton"));
  auto* remove = new QPushButton(tr("Remove selected"), w);
  remove->setObjectName(QStringLiteral("removeHeaderButton"));
  row->addWidget(add);
  row->addWidget(remove);
  row->addStretch(1);
  lay->addWidget(headers_, 1);
  lay->addLayout(row);
  connect(add, &QPushButton::clicked, this, [this] {
    headers_->addHeaderRow();
    headers_->editItem(headers_->item(headers_->rowCount() - 1, 0));
  });
  connect(remove, &QPushButton::clicked, headers_, &HeadersEditor::removeSelectedRows);
  return w;
}

QWidget* RequestPanel::buildBodyTab() {
  auto* w = new QWidget(this);
  auto* lay = new QVBoxLayout(w);
  lay->setContentsMargins(4, 4, 4, 4);
  auto* kinds = new QHBoxLayout;
  bodyNone_ = new QRadioButton(tr("None"), w);
  bodyText_ = new QRadioButton(tr("Text"), w);
  bodyFile_ = new QRadioButton(tr("File (streamed from disk)"), w);
  auto* bodyForm = new QRadioButton(tr("Form (multipart; one part per line: name=value or name=@file)"), w);
  bodyForm->setObjectName(QStringLiteral("bodyForm"));
  bodyNone_->setObjectName(QStringLiteral("bodyNone"));
  bodyText_->setObjectName(QStringLiteral("bodyText"));
  bodyFile_->setObjectName(QStringLiteral("bodyFile"));
  bodyKind_ = new QButtonGroup(w);
  bodyKind_->addButton(bodyNone_, 0);
  bodyKind_->addButton(bodyText_, 1);
  bodyKind_->addButton(bodyFile_, 2);
  bodyKind_->addButton(bodyForm, 3);
  bodyNone_->setChecked(true);
  chunked_ = new QCheckBox(tr("Chunked (Transfer-Encoding: chunked)"), w);
  chunked_->setObjectName(QStringLiteral("chunkedCheck"));
  kinds->addWidget(bodyNone_);
  kinds->addWidget(bodyText_);
  kinds->addWidget(bodyFile_);
  kinds->addWidget(bodyForm);
  kinds->addStretch(1);
  kinds->addWidget(chunked_);
  auto* form = new QFormLayout;
  contentType_ = new QLineEdit(w);
  contentType_->setObjectName(QStringLiteral("contentTypeEdit"));
  contentType_->setPlaceholderText(QStringLiteral("text/plain; charset=utf-8"));
  auto* fileRow = new QHBoxLayout;
  file_ = new QLineEdit(w);
  file_->setObjectName(QStringLiteral("bodyFileEdit"));
  file_->setPlaceholderText(tr("a file of any size: it is read while sending, never loaded"));
  browse_ = new QPushButton(tr("Browse…"), w);
  fileRow->addWidget(file_, 1);
  fileRow->addWidget(browse_);
  form->addRow(tr("Content type"), contentType_);
  form->addRow(tr("File"), fileRow);
  text_ = new QPlainTextEdit(w);
  text_->setObjectName(QStringLiteral("bodyTextEdit"));
  text_->setPlaceholderText(tr("Text body"));
  lay->addLayout(kinds);
  lay->addLayout(form);
  lay->addWidget(text_, 1);
  connect(bodyKind_, &QButtonGroup::idClicked, this, [this] { updateBodyControls(); });
  connect(browse_, &QPushButton::clicked, this, [this] {
    QString f = QFileDialog::getOpenFileName(this, tr("Body file"));
    if (!f.isEmpty()) file_->setText(f);
  });
  updateBodyControls();
  return w;
}

QWidget* RequestPanel::buildConnectionTab() {
  auto* w = new QWidget(this);
  auto* form = new QFormLayout(w);
  forceNew_ = new QCheckBox(tr("Force a new connection (don't take an idle one)"), w);
  forceNew_->setObjectName(QStringLiteral("forceNewCheck"));
  noReturn_ = new QCheckBox(tr("Don't return the connection to the pool afterwards"), w);
  noReturn_->setObjectName(QStringLiteral("noReturnCheck"));
  decode_ = new QCheckBox(tr("Decode content (ask for gzip, deflate, br; the response shows wire and decoded bytes)"), w);
  decode_->setObjectName(QStringLiteral("decodeCheck"));
  follow_ = new QCheckBox(tr("Follow redirects (at most 10; each hop is its own request in the history and lanes)"), w);
  follow_->setObjectName(QStringLiteral("followRedirectsCheck"));
  auto seconds = [w](const char* name, const QString& zero) {
    auto* box = new QDoubleSpinBox(w);
    box->setObjectName(QString::fromLatin1(name));
    box->setRange(0, 86400);
    box->setDecimals(1);
    box->setSuffix(QStringLiteral(" s"));
    box->setSpecialValueText(zero);
    return box;
  };
  totalTimeout_ = seconds("totalTimeoutSpin", tr("no limit"));
  totalTimeout_->setToolTip(tr("The whole exchange, body included (curl --max-time)"));
  headTimeout_ = seconds("headTimeoutSpin", tr("default (30 s)"));
  headTimeout_->setToolTip(tr("From the request written to the response head"));
  connectTimeout_ = seconds("connectTimeoutSpin", tr("default (5 s)"));
  connectTimeout_->setToolTip(tr("TCP connect of a new connection (curl --connect-timeout)"));
  bodyIdleTimeout_ = seconds("bodyIdleTimeoutSpin", tr("default (30 s)"));
  bodyIdleTimeout_->setToolTip(tr("The longest wait for the next response body byte"));
  release_ = new QComboBox(w);
  release_->setObjectName(QStringLiteral("releaseCombo"));
  for (auto p : {ReleasePolicy::kAtEnd, ReleasePolicy::kNow, ReleasePolicy::kReset, ReleasePolicy::kLate,
                 ReleasePolicy::kLeak, ReleasePolicy::kDouble})
    release_->addItem(releasePolicyName(p), static_cast<int>(p));
  auto* help = new QLabel(tr("A streamed response holds its connection until its body stream is released. "
                             "Leak keeps it held (watch the Pool lanes); double release shows the engine's warning."), w);
  help->setWordWrap(true);
  form->addRow(forceNew_);
  form->addRow(noReturn_);
  form->addRow(decode_);
  form->addRow(follow_);
  auto* limits = new QHBoxLayout;
  for (auto [label, box] : {std::pair{tr("connect"), connectTimeout_}, {tr("head"), headTimeout_}, {tr("body idle"), bodyIdleTimeout_}}) {
    limits->addWidget(new QLabel(label, w));
    limits->addWidget(box, 1);
  }
  form->addRow(tr("Total time limit"), totalTimeout_);
  form->addRow(tr("Timeouts"), limits);
  form->addRow(tr("Release policy"), release_);
  form->addRow(help);
  return w;
}

QWidget* RequestPanel::buildTlsTab() {
  auto* w = new QWidget(this);
  auto* lay = new QVBoxLayout(w);
  lay->setContentsMargins(2, 2, 2, 2);
  tls_ = new TlsOptionsEditor(w);
  tls_->setObjectName(QStringLiteral("tlsOptions"));
  auto* row = new QHBoxLayout;
  auto* save = new QPushButton(tr("Use as defaults for new requests"), w);
  save->setObjectName(QStringLiteral("saveOptionDefaultsButton"));
  save->setToolTip(tr("New request tabs start with these TLS options and this tab's timeouts"));
  row->addStretch(1);
  row->addWidget(save);
  lay->addWidget(tls_);
  lay->addLayout(row);
  lay->addStretch(1);
  connect(tls_, &TlsOptionsEditor::changed, this, &RequestPanel::updateTlsWarning);
  connect(save, &QPushButton::clicked, this, [this] {
    saveOptionDefaults();
    showComposerMessage(tr("New requests now start with these TLS options and timeouts"), false);
  });
  return w;
}

void RequestPanel::updateTlsWarning() { tlsWarning_->setVisible(!tls_->options().verify); }

QJsonObject RequestPanel::optionDefaults() {
  return QSettings().value(QStringLiteral("requests/defaults")).toJsonObject();
}

void RequestPanel::saveOptionDefaults() const {
  QSettings().setValue(QStringLiteral("requests/defaults"), spec().optionsJson());
}

void RequestPanel::updateBodyControls() {
  int id = bodyKind_->checkedId();
  contentType_->setEnabled(id == 1);
  text_->setEnabled(id == 1 || id == 3);
  file_->setEnabled(id == 2);
  browse_->setEnabled(id == 2);
  chunked_->setEnabled(id != 0);
}

RequestSpec RequestPanel::spec() const {
  RequestSpec s;
  s.method = method_->currentText().trimmed().toUpper();
  s.url = encodeTypedUrl(url_->text());
  s.headers = headers_->headerRows();
  int id = bodyKind_->checkedId();
  static constexpr RequestSpec::BodyKind kKinds[] = {RequestSpec::BodyKind::kNone, RequestSpec::BodyKind::kText,
                                                     RequestSpec::BodyKind::kFile, RequestSpec::BodyKind::kForm};
  s.bodyKind = kKinds[std::clamp(id, 0, 3)];
  if (s.bodyKind == RequestSpec::BodyKind::kForm) s.formParts = text_->toPlainText().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
  else s.bodyText = text_->toPlainText();
  s.contentType = contentType_->text().trimmed();
  s.bodyFile = file_->text().trimmed();
  s.chunked = chunked_->isChecked();
  s.forceNewConnection = forceNew_->isChecked();
  s.noReturnToPool = noReturn_->isChecked();
  s.decode = decode_->isChecked();
  s.followRedirects = follow_->isChecked();
  s.totalTimeoutMs = static_cast<int>(totalTimeout_->value() * 1000);
  s.headTimeoutMs = static_cast<int>(headTimeout_->value() * 1000);
  s.connectTimeoutMs = static_cast<int>(connectTimeout_->value() * 1000);
  s.bodyIdleTimeoutMs = static_cast<int>(bodyIdleTimeout_->value() * 1000);
  s.tls = tls_->options();
  s.release = static_cast<ReleasePolicy>(release_->currentData().toInt());
  return s;
}

void RequestPanel::setSpec(const RequestSpec& s) {
  method_->setCurrentText(s.method);
  url_->setText(s.url);
  headers_->setHeaderRows(s.headers);
  int id = static_cast<int>(s.bodyKind);  // none, text, file, form: the button ids
  bodyKind_->button(id)->setChecked(true);
  text_->setPlainText(s.bodyKind == RequestSpec::BodyKind::kForm ? s.formParts.join(QLatin1Char('\n')) : s.bodyText);
  contentType_->setText(s.contentType);
  file_->setText(s.bodyFile);
  chunked_->setChecked(s.chunked);
  forceNew_->setChecked(s.forceNewConnection);
  totalTimeout_->setValue(s.totalTimeoutMs / 1000.0);
  headTimeout_->setValue(s.headTimeoutMs / 1000.0);
  connectTimeout_->setValue(s.connectTimeoutMs / 1000.0);
  bodyIdleTimeout_->setValue(s.bodyIdleTimeoutMs / 1000.0);
  tls_->setOptions(s.tls);
  updateTlsWarning();
  noReturn_->setChecked(s.noReturnToPool);
  decode_->setChecked(s.decode);
  follow_->setChecked(s.followRedirects);
  release_->setCurrentIndex(release_->findData(static_cast<int>(s.release)));
  updateBodyControls();
}

void RequestPanel::setUrl(const QString& url) { url_->setText(url); }

void RequestPanel::showComposerMessage(const QString& text, bool error) {
  QPalette pal = message_->palette();
  pal.setColor(QPalette::WindowText, error ? QColor(0xd0, 0x40, 0x40) : palette().color(QPalette::WindowText));
  message_->setPalette(pal);
  message_->setText(text);
  message_->setVisible(!text.isEmpty());
}

void RequestPanel::send() {
  const RequestSpec composed = spec();
  RequestSpec resolved = composed;
  if (sendFilter_) {
    if (QString err = sendFilter_(resolved); !err.isEmpty()) return showComposerMessage(err, true);
  }
  start(resolved, {}, &composed);
}

void RequestPanel::start(const RequestSpec& s, const QString& saveTo, const RequestSpec* recordAs) {
  showComposerMessage({}, false);
  if (current_ && !current_->final() && current_->spec().release != ReleasePolicy::kLeak) current_->cancel();
  SendOptions opts;
  opts.saveTo = saveTo;
  opts.keepBody = BodySaver::spillOptionsFromSettings();
  opts.streamRows = static_cast<size_t>(StreamView::maxRowsSetting());
  current_ = bridge_->send(s, opts);
  history_->add(recordAs ? *recordAs : s, current_->localId());
  if (current_->final()) history_->update(current_->localId(), current_->view());
  cancel_->setEnabled(!current_->final());
  response_->track(current_);
  emit transferStarted(current_);
}

void RequestPanel::cancel() {
  if (current_) current_->cancel();
  cancel_->setEnabled(false);
}

bool RequestPanel::importCurl(const QString& text) {
  CurlImport r = CurlCommand::parse(text);
  if (!r.ok) {
    showComposerMessage(tr("curl import failed: %1").arg(r.error), true);
    return false;
  }
  setSpec(r.spec);
  QString msg = tr("Imported: %1 %2").arg(r.spec.method, r.spec.url);
  if (!r.ignored.isEmpty()) msg += tr(" (ignored %1)").arg(r.ignored.join(QStringLiteral(", ")));
  if (!r.unsupported.isEmpty()) msg += tr(" (not supported, left out: %1)").arg(r.unsupported.join(QStringLiteral(", ")));
  showComposerMessage(msg, false);
  return true;
}

QString RequestPanel::curlCommand() const { return CurlCommand::format(spec()); }

void RequestPanel::copyAsCurl() {
  QString cmd = curlCommand();
  QApplication::clipboard()->setText(cmd);
  showComposerMessage(tr("Copied: %1").arg(cmd), false);
}

void RequestPanel::showImportDialog() {
  bool ok = false;
  QString text = QInputDialog::getMultiLineText(this, tr("Import curl"),
                                                tr("Paste a curl command (-X, -H, -d, --data-binary, -T, -u and the URL are understood):"),
                                                QString(), &ok);
  if (ok && !text.trimmed().isEmpty()) importCurl(text);
}

void RequestPanel::saveBodyAs(const QString& path, BodySaver::Variant variant) {
  QString target = path;
  if (target.isEmpty()) target = QFileDialog::getSaveFileName(this, tr("Save body as"));
  if (target.isEmpty()) return;
  RequestSpec s = current_ ? current_->spec() : spec();  // a transfer's spec is already resolved
  if (saver_->save(current_.get(), s, target, variant) != BodySaver::Outcome::kResend) return;
  if (s.release == ReleasePolicy::kNow) s.release = ReleasePolicy::kAtEnd;  // a save reads the body to its end
  if (!current_ && sendFilter_) {
    if (QString err = sendFilter_(s); !err.isEmpty()) return showComposerMessage(err, true);
  }
  start(s, target);
  showComposerMessage(tr("Sending again and streaming the body to %1").arg(target), false);
}

}  // namespace sluice::ui
