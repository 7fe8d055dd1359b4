#include "ui/panels/servers_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QScrollArea>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QTableWidget>
#include <QTime>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>

#include "engine/observe/process_stats.h"
#include "engine/util/units.h"
#include "ui/bridge/event_settings.h"
#include "ui/models/server_requests_model.h"
#include "ui/widgets/format.h"
#include "ui/widgets/memory_graph.h"
#include "ui/widgets/progress_delegate.h"

namespace sluice::ui {

using observe::EventKind;

ServersPanel::ServersPanel(QWidget* parent)
    : QWidget(parent), model_(new ServerRequestsModel(this)), timer_(new QTimer(this)) {
  setObjectName(QStringLiteral("serversPanel"));
  // Three columns, so the whole view fits a low dock: servers and the add form | live
  // requests | RSS graph over the access log.
  auto* lay = new QHBoxLayout(this);
  lay->setContentsMargins(4, 4, 4, 4);
  auto* left = new QWidget(this);
  auto* leftLay = new QVBoxLayout(left);
  leftLay->setContentsMargins(0, 0, 0, 0);
  leftLay->addWidget(buildServerList(), 1);
  leftLay->addWidget(buildAddForm());
  message_ = new QLabel(left);
  message_->setObjectName(QStringLiteral("serversMessage"));
  message_->setWordWrap(true);
  message_->hide();
  leftLay->addWidget(message_);
  // In a low dock (1280x800 leaves the Servers area about 300 px) the list and the add
  // form scroll instead of clipping the form's last rows.
  auto* leftScroll = new QScrollArea(this);
  leftScroll->setObjectName(QStringLiteral("serversLeftScroll"));
  leftScroll->setWidgetResizable(true);
  leftScroll->setFrameShape(QFrame::NoFrame);
  leftScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  leftScroll->setWidget(left);
  leftScroll->setMinimumWidth(left->minimumSizeHint().width() + leftScroll->verticalScrollBar()->sizeHint().width());
  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(leftScroll);
  split->addWidget(buildLiveArea());
  split->setStretchFactor(0, 2);
  split->setStretchFactor(1, 5);
  lay->addWidget(split);
  timer_->setInterval(250);
  connect(timer_, &QTimer::timeout, this, &ServersPanel::tick);
  timer_->start();
  tick();
}

QWidget* ServersPanel::buildServerList() {
  auto* box = new QGroupBox(tr("Servers"), this);
  auto* lay = new QVBoxLayout(box);
  table_ = new QTableWidget(0, 7, box);
  table_->setObjectName(QStringLiteral("serversTable"));
  table_->setHorizontalHeaderLabels({tr("Address"), tr("Mode"), tr("State"), tr("Requests"), tr("In flight"),
                                     tr("Certificate SHA-256"), tr("Upload folder")});
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->verticalHeader()->setVisible(false);
  table_->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
  table_->setWordWrap(false);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  auto* row = new QHBoxLayout;
  auto* start = new QPushButton(tr("Start"), box);
  start->setObjectName(QStringLiteral("startServerButton"));
  auto* stop = new QPushButton(tr("Stop"), box);
  stop->setObjectName(QStringLiteral("stopServerButton"));
  auto* open = new QPushButton(tr("Open upload folder"), box);
  open->setObjectName(QStringLiteral("openUploadFolderButton"));
  row->addWidget(start);
  row->addWidget(stop);
  row->addWidget(open);
  export_ = new QPushButton(tr("Export certificate…"), box);
  export_->setObjectName(QStringLiteral("exportCertificateButton"));
  export_->setToolTip(tr("Save the TLS server's certificate (PEM) to trust it: curl --cacert FILE, or the CA file of a request"));
  export_->setEnabled(false);
  row->addWidget(export_);
  row->addStretch(1);
  connect(export_, &QPushButton::clicked, this, [this] { exportCertificate(); });
  connect(table_, &QTableWidget::currentCellChanged, this, [this] {
    export_->setEnabled(selectedHost() && !selectedHost()->fingerprint().isEmpty());
  });
  lay->addWidget(table_, 1);
  lay->addLayout(row);
  connect(start, &QPushButton::clicked, this, [this] {
    if (auto* h = selectedHost()) {
      QString err = h->start();
      showMessage(err.isEmpty() ? tr("%1 started").arg(h->url()) : tr("cannot start %1: %2").arg(h->settings().listen, err), !err.isEmpty());
    }
  });
  connect(stop, &QPushButton::clicked, this, [this] {
    if (auto* h = selectedHost()) {
      h->stop();
      showMessage(tr("stopping %1: in-flight responses get up to 1 s").arg(h->address()), false);
    }
  });
  connect(open, &QPushButton::clicked, this, [this] {
    if (auto* h = selectedHost()) {
      QDir().mkpath(h->uploadDir());
      if (!QDesktopServices::openUrl(QUrl::fromLocalFile(h->uploadDir())))
        showMessage(tr("no file manager could open %1").arg(h->uploadDir()), true);
    }
  });
  return box;
}

QWidget* ServersPanel::buildAddForm() {
  auto* box = new QGroupBox(tr("Add a server"), this);
  auto* form = new QFormLayout(box);
  listen_ = new QLineEdit(QStringLiteral("127.0.0.1:0"), box);
  listen_->setObjectName(QStringLiteral("newServerListen"));
  listen_->setToolTip(tr("HOST:PORT; port 0 lets the system pick a free one"));
  mode_ = new QComboBox(box);
  mode_->setObjectName(QStringLiteral("newServerMode"));
  mode_->addItem(tr("stream (bodies flow to the handler)"), false);
  mode_->addItem(tr("buffered (whole body first, costs its size)"), true);
  auto* dirRow = new QHBoxLayout;
  dir_ = new QLineEdit(box);
  dir_->setObjectName(QStringLiteral("newServerDir"));
  dir_->setPlaceholderText(tr("default: the app data folder"));
  auto* browse = new QPushButton(tr("…"), box);
  dirRow->addWidget(dir_, 1);
  dirRow->addWidget(browse);
  maxBody_ = new QLineEdit(box);
  maxBody_->setObjectName(QStringLiteral("newServerMaxBody"));
  maxBody_->setPlaceholderText(tr("unlimited (e.g. 100M, 2G)"));
  token_ = new QLineEdit(box);
  token_->setObjectName(QStringLiteral("newServerToken"));
  token_->setPlaceholderText(tr("none (uploads need Authorization: Bearer <token>)"));
  proxy_ = new QLineEdit(box);
  proxy_->setObjectName(QStringLiteral("newServerProxy"));
  proxy_->setPlaceholderText(tr("proxy upstream: none (e.g. http://127.0.0.1:8080)"));
  proxy_->setToolTip(tr("reverse proxy: every request is forwarded to this upstream through the client pool;\n"
                        "the upstream body streams into the response and releases its connection at the end"));
  auto* add = new QPushButton(tr("Add and start"), box);
  add->setObjectName(QStringLiteral("addServerButton"));
  mode_->setItemText(0, tr("stream"));
  mode_->setItemText(1, tr("buffered"));
  mode_->setToolTip(tr("stream: bodies flow to the handler as they arrive (memory stays flat)\n"
                       "buffered: the whole body is read first (costs its size)"));
  // Five rows, so the form fits a low dock at 1280x800: the TLS switch sits on the Listen
  // row, the certificate files share the last row with the button.
  QHBoxLayout* tlsRow = buildTlsRow(box);
  auto* r1 = new QHBoxLayout;
  r1->addWidget(listen_, 2);
  r1->addWidget(mode_, 1);
  r1->addWidget(tls_);
  auto* r3 = new QHBoxLayout;
  r3->addWidget(maxBody_, 1);
  r3->addWidget(token_, 1);
  maxBody_->setPlaceholderText(tr("max body: unlimited"));
  token_->setPlaceholderText(tr("token: none"));
  maxBody_->setToolTip(tr("largest request body; 413 beyond (K, M, G suffixes)"));
  token_->setToolTip(tr("uploads then need Authorization: Bearer <token>"));
  form->addRow(tr("Listen"), r1);
  form->addRow(tr("Folder"), dirRow);
  form->addRow(tr("Limits"), r3);
  form->addRow(tr("Proxy"), proxy_);
  tlsRow->addWidget(add);
  form->addRow(tr("TLS files"), tlsRow);
  connect(browse, &QPushButton::clicked, this, [this] {
    QString d = QFileDialog::getExistingDirectory(this, tr("Upload folder"));
    if (!d.isEmpty()) dir_->setText(d);
  });
  connect(add, &QPushButton::clicked, this, [this] { addServerFromForm(); });
  return box;
}

QHBoxLayout* ServersPanel::buildTlsRow(QWidget* box) {
  tls_ = new QCheckBox(tr("TLS"), box);
  tls_->setObjectName(QStringLiteral("newServerTls"));
  tls_->setToolTip(tr("Serve HTTPS. Without certificate files: the stored self-signed ECDSA P-256 certificate\n"
                      "for localhost, 127.0.0.1 and ::1 (made once in the app data folder)"));
  certFile_ = new QLineEdit(box);
  certFile_->setObjectName(QStringLiteral("newServerCert"));
  certFile_->setPlaceholderText(tr("cert: stored self-signed"));
  certFile_->setToolTip(tr("PEM certificate chain; empty: the stored self-signed certificate"));
  keyFile_ = new QLineEdit(box);
  keyFile_->setObjectName(QStringLiteral("newServerKey"));
  keyFile_->setPlaceholderText(tr("key: in the cert file"));
  keyFile_->setToolTip(tr("PEM private key of the certificate; empty: the key is in the certificate file"));
  for (QLineEdit* e : {certFile_, keyFile_}) e->setEnabled(false);
  connect(tls_, &QCheckBox::toggled, this, [this](bool on) {
    certFile_->setEnabled(on);
    keyFile_->setEnabled(on);
  });
  auto* tlsRow = new QHBoxLayout;
  tlsRow->addWidget(certFile_, 1);
  tlsRow->addWidget(keyFile_, 1);
  return tlsRow;
}

QWidget* ServersPanel::buildLiveArea() {
  // The requests table gets the whole width (it has nine columns); the RSS graph and
  // the access log share a row under it. Fits 1280x800 with the dock at a third.
  auto* split = new QSplitter(Qt::Vertical);
  auto* requestsBox = new QWidget(split);
  auto* requestsLay = new QVBoxLayout(requestsBox);
  requestsLay->setContentsMargins(0, 0, 0, 0);
  requestsLay->setSpacing(2);
  header_ = new QLabel(requestsBox);
  header_->setObjectName(QStringLiteral("serverRequestsHeader"));
  header_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  requests_ = new QTableView(requestsBox);
  auto* keep = new QSpinBox(requestsBox);
  keep->setObjectName(QStringLiteral("serverRowsKept"));
  keep->setRange(10, 100000);
  keep->setValue(model_->maxRows());
  keep->setPrefix(tr("keep newest "));
  keep->setSuffix(tr(" rows"));
  keep->setToolTip(tr("How many requests the table keeps; the total above counts them all"));
  connect(keep, &QSpinBox::valueChanged, this, [this](int n) {
    model_->setMaxRows(n);
    updateHeader();
  });
  auto* headerRow = new QHBoxLayout;
  headerRow->addWidget(header_, 1);
  headerRow->addWidget(keep);
  requestsLay->addLayout(headerRow);
  requestsLay->addWidget(requests_, 1);
  requests_->setObjectName(QStringLiteral("serverRequestsTable"));
  requests_->setModel(model_);
  requests_->setItemDelegateForColumn(ServerRequestsModel::kProgress, new ProgressDelegate(ServerRequestsModel::kProgressRole, requests_));
  requests_->verticalHeader()->setVisible(false);
  requests_->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
  // Widths are set once from the font, never measured per row: ResizeToContents would
  // walk every row on each batch.
  auto* hh = requests_->horizontalHeader();
  hh->setSectionResizeMode(QHeaderView::Interactive);
  hh->setSectionResizeMode(ServerRequestsModel::kRequest, QHeaderView::Stretch);
  const QFontMetrics fm = fontMetrics();
  const std::pair<int, const char*> kWidths[] = {
      {ServerRequestsModel::kServer, ":65535"},         {ServerRequestsModel::kPeer, "127.0.0.1:65535"},
      {ServerRequestsModel::kIn, "99.9 MiB of 99.9 MiB"}, {ServerRequestsModel::kOut, "999.9 MiB"},
      {ServerRequestsModel::kRate, "999.9 MiB/s"},      {ServerRequestsModel::kProgress, "in flight"},
      {ServerRequestsModel::kStatus, "Status"},         {ServerRequestsModel::kDuration, "999.9 ms"}};
  for (const auto& [col, sample] : kWidths) hh->resizeSection(col, fm.horizontalAdvance(QLatin1String(sample)) + 16);
  requests_->setSelectionBehavior(QAbstractItemView::SelectRows);
  connect(model_, &QAbstractItemModel::rowsInserted, requests_, &QTableView::scrollToBottom);
  auto* right = new QSplitter(Qt::Horizontal, split);
  graph_ = new MemoryGraph(right);
  graph_->setObjectName(QStringLiteral("memoryGraph"));
  log_ = new QPlainTextEdit(right);
  log_->setObjectName(QStringLiteral("accessLog"));
  log_->setReadOnly(true);
  log_->setMaximumBlockCount(kLogLines);
  log_->setLineWrapMode(QPlainTextEdit::NoWrap);
  log_->setPlaceholderText(tr("Access log: one line per request, plus server notices."));
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  return split;
}

void ServersPanel::addHost(ServerHost* host) {
  host->setParent(this);
  hosts_.append(host);
  connect(host, &ServerHost::events, this, [this, host](const std::vector<observe::Event>& evs) { onEvents(host, evs); });
  connect(host, &ServerHost::eventsDropped, this, &ServersPanel::updateHeader);
  connect(host, &ServerHost::stateChanged, this, [this] {
    refreshTable();
    emit serversChanged();
  });
  refreshTable();
  if (table_->currentRow() < 0) table_->selectRow(0);
  emit serversChanged();
}

ServerHost* ServersPanel::addServerFromForm() {
  ServerSettings s;
  s.eventCapacity = serverEventCapacity();
  s.listen = listen_->text().trimmed();
  s.buffered = mode_->currentData().toBool();
  s.uploadDir = dir_->text().trimmed();
  s.token = token_->text().trimmed();
  s.proxyUpstream = proxy_->text().trimmed();
  s.tls = tls_->isChecked();
  s.certFile = s.tls ? certFile_->text().trimmed() : QString();
  s.keyFile = s.tls ? keyFile_->text().trimmed() : QString();
  if (!maxBody_->text().trimmed().isEmpty()) {
    auto size = parseSize(maxBody_->text().trimmed().toStdString());
    if (!size) {
      showMessage(tr("max body: %1").arg(QString::fromStdString(size.error().message)), true);
      return nullptr;
    }
    s.maxBodyBytes = *size;
  }
  auto* host = new ServerHost(s, this);
  QString err = host->start();
  if (!err.isEmpty()) {
    showMessage(tr("cannot start a server on %1: %2").arg(s.listen, err), true);
    delete host;
    return nullptr;
  }
  addHost(host);
  table_->selectRow(static_cast<int>(hosts_.size()) - 1);
  QString text = tr("listening on %1 (%2 mode)").arg(host->url(), host->modeName());
  if (host->tls()) text += tr("; certificate SHA-256 %1").arg(host->fingerprint());
  showMessage(text, false);
  return host;
}

bool ServersPanel::exportCertificate(const QString& path) {
  ServerHost* h = selectedHost();
  if (!h || h->fingerprint().isEmpty()) {
    showMessage(tr("select a running TLS server to export its certificate"), true);
    return false;
  }
  QString to = path;
  if (to.isEmpty()) to = QFileDialog::getSaveFileName(this, tr("Export certificate"), QStringLiteral("sluice-%1.pem").arg(h->port()), tr("PEM certificate (*.pem *.crt)"));
  if (to.isEmpty()) return false;
  QString err = h->exportCertificate(to);
  showMessage(err.isEmpty() ? tr("certificate written to %1: trust it with curl --cacert or a request's CA file").arg(to) : err, !err.isEmpty());
  return err.isEmpty();
}

ServerHost* ServersPanel::selectedHost() const {
  int row = table_->currentRow();
  return row >= 0 && row < hosts_.size() ? hosts_[row] : nullptr;
}

void ServersPanel::refreshTable() {
  table_->setRowCount(static_cast<int>(hosts_.size()));
  for (int i = 0; i < hosts_.size(); ++i) {
    ServerHost* h = hosts_[i];
    auto s = h->stats();
    // A TLS server shows its scheme, so the address reads as what to type: https://127.0.0.1:PORT.
    QStringList cells{h->tls() && h->running() ? h->url() : h->address(), h->modeName(),
                      h->running() ? tr("running") : tr("stopped"), QString::number(s.requests),
                      QString::number(s.inFlight), h->tls() ? h->fingerprint() : tr("plain HTTP"), h->uploadDir()};
    for (int c = 0; c < cells.size(); ++c) {
      auto* item = table_->item(i, c);
      if (!item) table_->setItem(i, c, item = new QTableWidgetItem);
      if (item->text() != cells[c]) item->setText(cells[c]);
      item->setToolTip(h->running() ? tr("%1 · upload folder %2").arg(h->url(), h->uploadDir()) : h->uploadDir());
    }
    if (h->tls()) table_->item(i, 5)->setToolTip(tr("SHA-256 %1\nPEM %2").arg(h->fingerprint(), h->certificatePath()));
  }
  if (ServerHost* sel = selectedHost()) export_->setEnabled(!sel->fingerprint().isEmpty());
}

void ServersPanel::onEvents(ServerHost* host, const std::vector<observe::Event>& events) {
  model_->addEvents(host->id(), host->port(), events);
  QString lines;
  const QString now = QTime::currentTime().toString(QStringLiteral("HH:mm:ss"));
  // The log keeps kLogLines lines: in a big batch only the newest finished requests are written.
  int finished = 0;
  for (const auto& ev : events) finished += ev.kind == EventKind::kRequestFinished ? 1 : 0;
  int skip = std::max(0, finished - kLogLines);
  if (skip > 0) lines += tr("%1 %2 requests not logged (burst)\n").arg(now).arg(skip);
  for (const auto& ev : events) {
    if (ev.kind == EventKind::kRequestFinished && skip > 0) {
      --skip;
      continue;
    }
    if (ev.kind == EventKind::kRequestStarted) {
      QString what = QString::fromStdString(ev.text);
      if (what.startsWith(QLatin1String("PUT /upload")) || what.startsWith(QLatin1String("POST /upload")))
        graph_->addMarker(QStringLiteral("%1 (%2 :%3)").arg(what.section(QLatin1Char(' '), 0, 1), host->modeName()).arg(host->port()));
    } else if (ev.kind == EventKind::kRequestFinished) {
      lines += QStringLiteral("%1 :%2 %3 \"%4\" %5 in=%6 out=%7 %8\n")
                   .arg(now).arg(host->port())
                   .arg(QString::fromStdString(ev.detail), QString::fromStdString(ev.text))
                   .arg(ev.code)
                   .arg(formatBytes(ev.bytesIn), formatBytes(ev.bytesOut), formatMicros(ev.durationUs));
    } else if (ev.kind == EventKind::kServerNotice) {
      lines += QStringLiteral("%1 :%2 notice %3%4\n").arg(now).arg(host->port())
                   .arg(ev.code ? QString::number(ev.code) + QLatin1Char(' ') : QString(), QString::fromStdString(ev.text));
    }
  }
  if (!lines.isEmpty()) log_->appendPlainText(lines.chopped(1));
}

void ServersPanel::tick() {
  graph_->addSample(observe::readProcessStats().rssBytes);
  std::vector<MemoryGraph::ServerHeld> held;
  for (auto* h : hosts_) held.push_back({QStringLiteral("%1 :%2").arg(h->modeName()).arg(h->port()), h->stats().bodyBytesHeld});
  graph_->addServerSamples(held);
  model_->tick();
  refreshTable();
  updateHeader();
}

void ServersPanel::updateHeader() {
  // The total is the engine's exact count; the table shows the newest rows only.
  quint64 total = 0, inFlight = 0, dropped = 0;
  for (auto* h : hosts_) {
    auto s = h->stats();
    total += s.requests;
    inFlight += s.inFlight;
    dropped += h->droppedEvents();
  }
  QString text = tr("Requests %1 · in flight %2 · showing the newest %3").arg(total).arg(inFlight).arg(model_->rowCount()) +
                 droppedText(dropped);
  if (header_->text() != text) header_->setText(text);
}

void ServersPanel::showMessage(const QString& text, bool error) {
  QPalette pal = message_->palette();
  pal.setColor(QPalette::WindowText, error ? QColor(0xd0, 0x40, 0x40) : palette().color(QPalette::WindowText));
  message_->setPalette(pal);
  message_->setText(text);
  message_->setVisible(!text.isEmpty());
}

void ServersPanel::stopAll() {
  for (auto* h : hosts_) h->stopNow();
}

}  // namespace sluice::ui
