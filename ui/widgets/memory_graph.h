#pragma once
/**
 * The process RSS over time, painted, with a marker for each upload, and beside it each
 * server's own share: the request-body bytes it holds in memory (the engine's exact
 * gauge), one line per server, so a buffered and a stream server read side by side.
 */
#include <QRectF>
#include <QString>
#include <QStringList>
#include <QWidget>
#include <deque>
#include <map>
#include <vector>

class QPainter;

namespace sluice::ui {

class MemoryGraph : public QWidget {
  Q_OBJECT
 public:
  static constexpr int kMaxSamples = 600;  ///< two minutes at 5 Hz

  explicit MemoryGraph(QWidget* parent = nullptr);
  /** Adds one RSS sample taken now (the GUI's sampling timer calls it). */
  void addSample(quint64 rssBytes);
  /** One server's memory: its label ("buffered :9001") and the body bytes it holds now. */
  struct ServerHeld {
    QString label;
    quint64 bytes = 0;
  };
  /** Adds one sample per server, taken now; a server no longer listed keeps its past line. */
  void addServerSamples(const std::vector<ServerHeld>& servers);
  /** The legend text of each server line, as painted ("buffered :9001 512 MiB"). */
  QStringList legend() const;
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
  quint64 scaleTop() const;
  /** Maps time and bytes to the plot. */
  struct Axes {
    QRectF plot;
    qint64 t0, t1;
    quint64 top;
    double x(qint64 ms) const { return plot.left() + plot.width() * static_cast<double>(ms - t0) / static_cast<double>(t1 - t0); }
    double y(quint64 v) const { return plot.bottom() - plot.height() * static_cast<double>(v) / static_cast<double>(top); }
  };
  void paintServerLines(QPainter& p, const Axes& ax) const;
  void paintMarkers(QPainter& p, const Axes& ax) const;
  std::deque<Sample> samples_;
  std::map<QString, std::deque<Sample>> servers_;  // by label
  std::deque<Marker> markers_;
};

}  // namespace sluice::ui
