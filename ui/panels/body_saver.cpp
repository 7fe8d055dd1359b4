#include "ui/panels/body_saver.h"

#include <QFutureWatcher>
#include <QMessageBox>
#include <QPromise>
#include <QPushButton>
#include <QSettings>
#include <QThreadPool>
#include <QWidget>

#include "engine/client/request.h"
#include "ui/bridge/transfer.h"

namespace sluice::ui {

namespace {
constexpr quint64 kDefaultSpillMax = 8ull << 30;  // 8 GiB; 0 in settings: no limit

bool askWithBox(QWidget* parent, const QString& question) {
  return QMessageBox::question(parent, QObject::tr("Save body as"), question) == QMessageBox::Yes;
}

std::optional<bool> chooseWithBox(QWidget* parent, const QString& question) {
  QMessageBox box(QMessageBox::Question, QObject::tr("Save body as"), question, QMessageBox::Cancel, parent);
  QPushButton* decoded = box.addButton(QObject::tr("Decoded"), QMessageBox::AcceptRole);
  QPushButton* wire = box.addButton(QObject::tr("Wire bytes"), QMessageBox::AcceptRole);
  box.setDefaultButton(decoded);
  box.exec();
  if (box.clickedButton() == decoded) return true;
  if (box.clickedButton() == wire) return false;
  return std::nullopt;
}
}  // namespace

BodySaver::BodySaver(QWidget* parent)
    : QObject(parent),
      ask_([parent](const QString& q) { return askWithBox(parent, q); }),
      choose_([parent](const QString& q) { return chooseWithBox(parent, q); }) {}

std::optional<BodySpill::Options> BodySaver::spillOptionsFromSettings() {
  QSettings s;
  if (!s.value(QStringLiteral("body/keep"), true).toBool()) return std::nullopt;
  BodySpill::Options o;
  o.folder = s.value(QStringLiteral("body/spillFolder")).toString();
  o.maxBytes = s.value(QStringLiteral("body/spillMaxBytes"), kDefaultSpillMax).toULongLong();
  return o;
}

BodySaver::Outcome BodySaver::save(const Transfer* t, const RequestSpec& spec, const QString& path, Variant variant) {
  if (!t) return notKept(spec, tr("nothing was sent yet"));
  auto wire = t->keptBody(false);
  auto decoded = t->keptBody(true);
  TransferView v = t->view();
  if (!wire)
    return notKept(spec, v.phase == TransferView::Phase::kWaiting ? tr("no response yet")
                                                                   : tr("keeping bodies is off, or the body was released at the head"));
  bool useDecoded = variant == Variant::kDecoded;
  if (variant == Variant::kAsk && decoded && decoded->kept()) {
    auto choice = choose_(tr("The body was %1-encoded. Save the decoded body or the wire bytes?").arg(v.contentEncoding));
    if (!choice) return Outcome::kCancelled;
    useDecoded = *choice;
  }
  if (useDecoded && !decoded) {
    emit message(tr("Not saved: this response was not decoded, so there is no decoded body (turn on Decode)"), true);
    return Outcome::kRefused;
  }
  auto spill = useDecoded ? decoded : wire;
  if (!spill->kept()) return notKept(spec, spill->whyNotKept());
  QString what = useDecoded ? tr("decoded body") : tr("body");
  if (!v.final()) what += tr(" received so far (still streaming)");
  else if (v.phase != TransferView::Phase::kDone || !v.error.isEmpty()) what += tr(" received before the transfer ended (incomplete)");
  copy(spill, path, spill->size(), what);
  return Outcome::kCopying;
}

BodySaver::Outcome BodySaver::notKept(const RequestSpec& spec, const QString& why) {
  if (!client::idempotentMethod(spec.method.toStdString())) {
    emit message(tr("Not saved: the body was not kept (%1), and %2 is not idempotent, so it is never sent again")
                     .arg(why, spec.method),
                 true);
    return Outcome::kRefused;
  }
  if (!ask_(tr("The body was not kept (%1).\n\nSend %2 %3 again and stream its body into the file?").arg(why, spec.method, spec.url))) {
    emit message(tr("Not saved: the body was not kept (%1)").arg(why), false);
    return Outcome::kCancelled;
  }
  return Outcome::kResend;
}

void BodySaver::copy(std::shared_ptr<const BodySpill> spill, const QString& path, quint64 bytes, const QString& what) {
  emit message(tr("Saving %1 bytes of the %2 to %3…").arg(bytes).arg(what, path), false);
  auto promise = std::make_shared<QPromise<QString>>();
  auto* watcher = new QFutureWatcher<QString>(this);
  connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, path, bytes, what] {
    QString error = watcher->result();
    watcher->deleteLater();
    if (error.isEmpty())
      emit message(tr("Saved %1 bytes of the %2 to %3 (from what was received: not sent again)").arg(bytes).arg(what, path), false);
    else emit message(tr("Saving to %1 failed: %2").arg(path, error), true);
    emit saved(path, error);
  });
  watcher->setFuture(promise->future());
  promise->start();
  QThreadPool::globalInstance()->start([promise, spill = std::move(spill), path, bytes] {
    promise->addResult(spill->copyTo(path, bytes));
    promise->finish();
  });
}

}  // namespace sluice::ui
