Feature: Services and health checks
  Background:
    Given each step may take up to 20 seconds

  Scenario: Restart a service on the German web and dev servers
    Given I want to update hosts matching "country=de and not roles::db_server"
    And I expect 5 hosts
    And I want to pre-discover how many hosts to update
    When I restart the service httpd
    Then the service httpd should be running
    And the nrpe check check_load should pass

  Scenario: Stopping twice is fine, starting brings it back
    Given I want to update hosts with identity web1.us.example.com
    When I stop the service sshd
    And I stop the service sshd
    Then the service sshd should be stopped
    When I start the service sshd
    Then the service sshd should be running
