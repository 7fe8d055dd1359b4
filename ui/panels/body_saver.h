#pragma once
/**
 * "Save body as…". A transfer whose body was kept on disk while it streamed (BodySpill)
 * is saved from there: what was already received, wire or decoded, never sent again.
 * When the body was not kept, Save asks before sending an idempotent request again
 * (GET, HEAD, PUT, DELETE…) and never sends any other method again (POST, PATCH…).
 * The copy runs on a pool thread; the GUI thread never waits on the disk.
 */
#include <QObject>
#include <QString>
#include <functional>
#include <memory>
#include <optional>

#include "ui/bridge/body_spill.h"
#include "ui/requests/request_spec.h"

class QWidget;

namespace sluice::ui {

class Transfer;

class BodySaver : public QObject {
  Q_OBJECT
 public:
  enum class Variant { kAsk, kWire, kDecoded };
  /** What save() decided. */
  enum class Outcome { kCopying, kResend, kRefused, kCancelled };
  /** A yes/no question to the user (a message box by default). */
  using Ask = std::function<bool(const QString& question)>;
  /** Decoded (true) or wire (false) bytes; nullopt cancels (a message box by default). */
  using Choose = std::function<std::optional<bool>(const QString& question)>;

  explicit BodySaver(QWidget* parent);
  void setAsk(Ask ask) { ask_ = std::move(ask); }
  void setChoose(Choose choose) { choose_ = std::move(choose); }

  /**
   * Saves t's body into path. kCopying: copied from the kept body (saved() follows).
   * kResend: not kept and the user agreed to send spec again. kRefused / kCancelled:
   * nothing happens; message() said why.
   */
  Outcome save(const Transfer* t, const RequestSpec& spec, const QString& path, Variant variant);

  /** The spill settings (QSettings body/keep, body/spillFolder, body/spillMaxBytes); nullopt when keeping is off. */
  static std::optional<BodySpill::Options> spillOptionsFromSettings();

 signals:
  /** A copy ended: error is empty on success. */
  void saved(const QString& path, const QString& error);
  /** Words for the composer's message line. */
  void message(const QString& text, bool error);

 private:
  Outcome notKept(const RequestSpec& spec, const QString& why);
  void copy(std::shared_ptr<const BodySpill> spill, const QString& path, quint64 bytes, const QString& what);

  Ask ask_;
  Choose choose_;
};

}  // namespace sluice::ui
