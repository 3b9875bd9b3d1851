// The service worker of the daily reminder: shows the notification the server pushed and opens
// the new-entry page when it is tapped. It caches nothing (the diary is private).
self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (error) { data = {}; }
  event.waitUntil(self.registration.showNotification(data.title || "moodsite", {
    body: data.body || "",
    tag: "moodsite-daily-reminder",  // a second one replaces the first instead of piling up
    data: { url: data.url || "/diary/new/" }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || "/diary/new/";
  event.waitUntil(self.clients.openWindow(url));
});
