#pragma once
/** The phases of one exchange as a stacked bar: DNS, connect, TLS handshake, send, wait, receive. */
#include <QWidget>

#include "engine/client/response.h"

namespace sluice::ui {

class TimingBar : public QWidget {
  Q_OBJECT
 public:
  explicit TimingBar(QWidget* parent = nullptr);
  /** Sets the timings; totalUs is the elapsed time so far when the body is not complete yet. */
  void setTimings(const client::Timings& t, quint64 totalUs);
  void clear();
  /** "DNS 0 µs · connect 120 µs · TLS 2.1 ms · send 30 µs · wait 1.2 ms · receive 36 ms" */
  QString summary() const;
  /** The duration of one phase by name ("TLS", "connect", ...), in µs; 0 when it did not happen. */
  quint64 phaseUs(const QString& name) const;
  QSize sizeHint() const override;

 protected:
  void paintEvent(QPaintEvent*) override;

 private:
  struct Phase {
    QString name;
    quint64 us;
  };
  std::vector<Phase> phases() const;
  client::Timings t_;
  quint64 totalUs_ = 0;
};

}  // namespace sluice::ui
