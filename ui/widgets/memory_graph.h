#pragma once
/** The process RSS over time, painted, with a marker for each upload. */
#include <QString>
#include <QWidget>
#include <deque>

namespace sluice::ui {

class MemoryGraph : public QWidget {
  Q_OBJECT
 public:
  static constexpr int kMaxSamples = 600;  ///< two minutes at 5 Hz

  explicit MemoryGraph(QWidget* parent = nullptr);
  /** Adds one RSS sample taken now (the GUI's sampling timer calls it). */
  void addSample(quint64 rssBytes);
  /** Marks an event on the time axis ("PUT /upload/a (buffered :9000)"). */
  void addMarker(const QString& label);
  quint64 peak() const;
  quint64 last() const { return samples_.empty() ? 0 : samples_.back().rss; }
  QSize sizeHint() const override { return {320, 140}; }
  QSize minimumSizeHint() const override { return {160, 80}; }

 protected:
  void paintEvent(QPaintEvent*) override;

 private:
  struct Sample {
    qint64 ms;
    quint64 rss;
  };
  struct Marker {
    qint64 ms;
    QString label;
  };
  qint64 nowMs() const;
  std::deque<Sample> samples_;
  std::deque<Marker> markers_;
};

}  // namespace sluice::ui
